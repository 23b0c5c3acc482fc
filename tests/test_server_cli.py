"""`python server.py` as an operator (the Procfile) and a newcomer (`make run`) run it:
production defaults, the dev banner, and the README's examples pasted as they are."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from app.core.settings_sources import ENV_OVERRIDES
from tests.conftest import CLIENT_KEY, SECRET_KEY
from tests.core.test_quiet_logs import CLIENT_MISCHIEF, send_raw
from tests.redis_process import free_port

ROOT = Path(__file__).resolve().parents[1]
STARTUP_SECONDS = 60
URL = re.compile(r"http://[^\s)'\"]+")
README_BASE = "http://127.0.0.1:8000"


def environment(**settings: str) -> dict[str, str]:
    """This machine's environment without any Tandem setting, plus `settings`."""
    ours = set(ENV_OVERRIDES) | {"TANDEM_CONFIG"}
    kept = {
        name: value
        for name, value in os.environ.items()
        if name not in ours and not name.startswith("TANDEM_")
    }
    return {**kept, **settings}


def server_py(*arguments: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "server.py"), *arguments],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@dataclass
class Running:
    url: str
    stdout: Path
    stderr: Path

    def output(self) -> tuple[str, str]:
        return self.stdout.read_text(), self.stderr.read_text()


@contextmanager
def serving(command: str, *, cwd: Path, env: dict[str, str]) -> Iterator[Running]:
    """`server.py <command>` in `cwd` on a free port, once it answers."""
    port = free_port()
    logs = cwd.parent / f"{cwd.name}-logs"
    logs.mkdir()
    running = Running(f"http://127.0.0.1:{port}", logs / "stdout", logs / "stderr")
    with running.stdout.open("w") as out, running.stderr.open("w") as err:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "server.py"), command],
            cwd=cwd,
            env={**env, "PORT": str(port)},
            stdout=out,
            stderr=err,
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert process.poll() is None, f"server.py {command} exited: {running.output()}"
            assert time.monotonic() < deadline, f"not serving: {running.output()}"
            try:
                if httpx.get(f"{running.url}/api", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def advertised_urls(text: str) -> list[str]:
    """URLs printed for people to open (a pasteable command's URL is tried by running it)."""
    return [url.rstrip(".,") for line in text.splitlines() if "curl" not in line for url in URL.findall(line)]


def pasteable_command(stdout: str) -> str:
    """The printed `curl … <<'EOF' … EOF` example, as it would be copied from the terminal."""
    match = re.search(r"^ *curl .*?^EOF$", stdout, re.MULTILINE | re.DOTALL)
    assert match, f"no pasteable example in: {stdout}"
    return match.group(0)


def error_lines(log: str) -> list[str]:
    """Lines logged at ERROR or above, in JSON lines (production) or text (dev mode)."""
    found = []
    for line in log.splitlines():
        try:
            level = json.loads(line).get("level", "")
        except (ValueError, AttributeError):
            level = " ERROR " if " ERROR " in line or " CRITICAL " in line else ""
        if level.strip() in {"ERROR", "CRITICAL"} or "Traceback" in line:
            found.append(line)
    return found


async def send_mischief(url: str) -> None:
    for data, close_early in CLIENT_MISCHIEF:
        await send_raw(url, data, close_early=close_early)
    await asyncio.sleep(1)


def run_bash(script: str, *, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_procfile_web_without_secrets_stops_naming_them_and_writes_nothing(tmp_path: Path):
    for arguments in ((), ("run",)):  # the Procfile's `python server.py`, and `run`
        result = server_py(*arguments, cwd=tmp_path, env=environment())
        assert result.returncode == 2, result
        assert "CLIENT_API_KEYS" in result.stderr and "SECRET_KEY" in result.stderr
        assert "Traceback" not in result.stderr
        assert list(tmp_path.iterdir()) == []  # no .env, no database


def test_procfile_web_serves_in_production_mode_and_prints_no_client_key(tmp_path: Path):
    env = environment(CLIENT_API_KEYS=CLIENT_KEY, SECRET_KEY=SECRET_KEY, HOST="127.0.0.1")
    with serving("run", cwd=tmp_path, env=env) as running:
        index = httpx.get(f"{running.url}/api")
        assert "max-age=" in index.headers["strict-transport-security"]  # not dev mode
        key = {"X-Client-Key": CLIENT_KEY}
        account = {
            "name": "Ops",
            "nickname": "ops",
            "email": "ops@example.com",
            "password": "a long passphrase for ops",
        }
        assert httpx.post(f"{running.url}/api/v1/auth/sign-up", json=account, headers=key).status_code == 201
        signed_in = httpx.post(
            f"{running.url}/api/v1/auth/sign-in",
            headers=key,
            json={"email": account["email"], "password": account["password"]},
        )
        assert "Secure" in signed_in.headers["set-cookie"]
        # what no client may do: make the real server (its own logging set-up) log an error
        asyncio.run(send_mischief(running.url))
        stdout, stderr = running.output()
        for url in advertised_urls(stdout + stderr):
            assert httpx.get(url.replace("0.0.0.0", "127.0.0.1")).status_code == 200, url
    assert error_lines(stderr) == []
    assert not (tmp_path / ".env").exists()
    assert CLIENT_KEY not in stdout + stderr
    # set-up cannot happen without a setup token: said once at start-up, not an error
    assert "SETUP_TOKEN" in stderr and "Traceback" not in stderr


def test_dev_writes_env_and_its_banner_shows_the_key_in_effect_and_a_bootstrap_that_works(
    tmp_path: Path,
):
    # the environment overrides the key .env is given: the banner must show the one in effect
    with serving("dev", cwd=tmp_path, env=environment(CLIENT_API_KEYS=CLIENT_KEY)) as running:
        env_file = (tmp_path / ".env").read_text()
        assert "TANDEM_DEV" not in env_file  # dev mode comes from the command, not the file
        written_key = re.search(r"^CLIENT_API_KEYS=(.+)$", env_file, re.MULTILINE).group(1)
        stdout, stderr = running.output()
        assert CLIENT_KEY in stdout and written_key not in stdout
        urls = advertised_urls(stdout + stderr)
        assert f"{running.url}/api/v1/docs" in urls
        for url in urls:
            assert httpx.get(url).status_code == 200, url
        assert "strict-transport-security" not in httpx.get(f"{running.url}/api").headers

        # the printed example creates the Owner (it does not close set-up by signing up)
        result = run_bash(pasteable_command(stdout), cwd=tmp_path)
        assert result.returncode == 0, result
        assert '"global_role":"Owner"' in result.stdout


def test_readme_shell_examples_work_when_pasted_against_a_live_server(tmp_path: Path):
    readme = (ROOT / "README.md").read_text()
    # the blocks that talk to the server (the others run make or server.py itself)
    blocks = [
        block
        for block in re.findall(r"^```sh\n(.*?)^```", readme, re.MULTILINE | re.DOTALL)
        if "curl" in block
    ]
    assert len(blocks) >= 3  # bootstrap, sign-in and /me, a health check
    with serving("dev", cwd=tmp_path, env=environment()) as running:
        script = "\n".join(blocks).replace(README_BASE, running.url)
        result = run_bash(script, cwd=tmp_path)
    assert result.returncode == 0, result
    assert '"global_role":"Owner"' in result.stdout  # bootstrap, then /me
    assert result.stdout.count("ada@example.com") == 2


def test_procfile_worker_without_a_broker_stops_with_one_line_naming_the_setting(tmp_path: Path):
    env = environment(CLIENT_API_KEYS=CLIENT_KEY, SECRET_KEY=SECRET_KEY)
    result = server_py("worker", "--processes", "1", "--threads", "1", cwd=tmp_path, env=env)
    assert result.returncode == 2, result
    assert result.stderr.strip().splitlines() == [
        (
            "tandem: broker.url: a worker process needs BROKER_URL or REDIS_URL; without either, "
            "the API process runs the actors itself"
        )
    ]
    # started by dramatiq's own command, each worker process says it once, without a traceback
    direct = subprocess.run(
        [sys.executable, "-m", "dramatiq", "tasks.worker", "--processes", "1", "--threads", "1"],
        cwd=tmp_path,
        env={**env, "TANDEM_CONFIG": str(ROOT / "config.toml"), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert direct.returncode == 2, direct
    assert "tandem worker: broker.url: a worker process needs BROKER_URL" in direct.stderr
    assert "Traceback" not in direct.stderr


def test_production_after_dev_in_the_same_checkout_keeps_secure_cookies_and_hsts(tmp_path: Path):
    """`make run` once, then `python server.py` in that checkout: the .env it wrote must not
    turn development mode on (an older one that says TANDEM_DEV=true is ignored, and said so)."""
    with serving("dev", cwd=tmp_path, env=environment()):
        pass
    env_file = tmp_path / ".env"
    key = re.search(r"^CLIENT_API_KEYS=(.+)$", env_file.read_text(), re.MULTILINE).group(1)
    env_file.write_text(env_file.read_text() + "TANDEM_DEV=true\n")  # as `make run` used to write
    (tmp_path.parent / f"{tmp_path.name}-logs").rename(tmp_path.parent / f"{tmp_path.name}-dev-logs")
    with serving("run", cwd=tmp_path, env=environment(HOST="127.0.0.1")) as running:
        assert "max-age=" in httpx.get(f"{running.url}/api").headers["strict-transport-security"]
        account = {
            "name": "Ops",
            "nickname": "ops",
            "email": "ops@example.com",
            "password": "a long passphrase for ops",
        }
        headers = {"X-Client-Key": key}
        assert (
            httpx.post(f"{running.url}/api/v1/auth/sign-up", json=account, headers=headers).status_code == 201
        )
        signed_in = httpx.post(
            f"{running.url}/api/v1/auth/sign-in",
            headers=headers,
            json={"email": account["email"], "password": account["password"]},
        )
        assert signed_in.status_code == 200, signed_in.text
        assert "Secure" in signed_in.headers["set-cookie"]
        _, stderr = running.output()
    warnings = [line for line in stderr.splitlines() if "TANDEM_DEV" in line]
    assert len(warnings) == 1 and json.loads(warnings[0])["level"] == "WARNING", stderr
    assert error_lines(stderr) == []


def test_a_bad_broker_url_stops_with_one_line_naming_the_setting(tmp_path: Path):
    env = environment(CLIENT_API_KEYS=CLIENT_KEY, SECRET_KEY=SECRET_KEY, BROKER_URL="nonsense")
    for arguments in (("worker", "--processes", "1", "--threads", "1"), ("run",)):
        result = server_py(*arguments, cwd=tmp_path, env=env)
        assert result.returncode == 2, result
        assert "broker.url: must be empty (in-process broker) or start with redis://" in result.stderr
        assert "Traceback" not in result.stderr
