"""The served OpenAPI document works for real clients: a generated Python client, and
schemathesis fuzzing every operation against the live server.

Both are about the document, not the database: they run once, on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import importlib
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import orjson
import pytest

from app.core.settings import RateLimitSettings, RatePolicy, Settings
from tests.conftest import CLIENT_KEY, SettingsFactory
from tests.factories import PASSWORD, sign_up
from tests.services import POSTGRES_URL, require_postgres

BIN = Path(sys.executable).parent
SETUP_TOKEN = "setup-token-for-generated-client"
# every policy, whatever its name: these tests send many requests from one address
ROOMY_LIMITS = {
    name: {"limit": 100_000, "period_seconds": 60}
    for name, field in RateLimitSettings.model_fields.items()
    if field.annotation is RatePolicy
}


@pytest.fixture
def database_url() -> str:
    require_postgres()
    return POSTGRES_URL


@pytest.fixture
def settings(make_settings: SettingsFactory, migrated_database: str, redis_url: str) -> Settings:
    return make_settings(
        database={"url": migrated_database},
        redis={"url": redis_url},
        security={"setup_token": SETUP_TOKEN},
        rate_limits=ROOMY_LIMITS,
    )


async def served_document(server, directory: Path) -> Path:  # type: ignore[no-untyped-def]
    response = await server.bare.get("/api/v1/openapi.json")
    assert response.status_code == 200
    path = directory / "openapi.json"
    path.write_bytes(response.content)
    return path


@pytest.fixture
def generated_package(tmp_path: Path) -> Iterator[Path]:
    """Where the generated client goes; importable while the test runs."""
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))
    for name in [name for name in sys.modules if name.split(".")[0] == "tandem_client"]:
        del sys.modules[name]


def generate_client(document: Path, into: Path) -> None:
    config = into / "generator.yaml"
    config.write_text("post_hooks: []\npackage_name_override: tandem_client\n")
    result = subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(document),
            "--meta",
            "none",
            "--output-path",
            str(into / "tandem_client"),
            "--config",
            str(config),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # a warning means a part of the document could not be turned into code
    assert result.returncode == 0 and "Warning" not in result.stdout, result.stdout + result.stderr


def load(name: str) -> ModuleType:
    return importlib.import_module(f"tandem_client.{name}")


async def test_a_generated_python_client_works_unedited(server, generated_package):
    document = await served_document(server, generated_package)
    await asyncio.to_thread(generate_client, document, generated_package)
    client_module, models = load("client"), load("models")
    setup_bootstrap = load("api.setup.setup_bootstrap")
    auth_sign_up, auth_sign_in = load("api.auth.auth_sign_up"), load("api.auth.auth_sign_in")
    me_get, auth_sign_out = load("api.me.me_get"), load("api.auth.auth_sign_out")
    auth_list_sessions = load("api.auth.auth_list_sessions")
    headers = {"X-Client-Key": CLIENT_KEY}
    anonymous = client_module.Client(base_url=server.url, headers=headers, raise_on_unexpected_status=True)

    bootstrapped = await setup_bootstrap.asyncio(
        client=anonymous,
        body=models.Bootstrap(
            name="First Owner",
            nickname="first-owner",
            email="owner@example.com",
            password=PASSWORD,
            setup_token=SETUP_TOKEN,
        ),
    )
    assert isinstance(bootstrapped, models.BootstrappedResponse)
    assert bootstrapped.data.user.email == "owner@example.com"
    created = await auth_sign_up.asyncio(
        client=anonymous,
        body=models.SignUp(
            name="Generated Client",
            nickname="generated",
            email="generated@example.com",
            password=PASSWORD,
        ),
    )
    assert isinstance(created, models.UserPublicResponse)
    assert created.data.nickname == "generated"

    outcome = await auth_sign_in.asyncio(
        client=anonymous,
        body=models.SignIn(
            email="generated@example.com",
            password=PASSWORD,
            token=True,
        ),
    )
    assert isinstance(outcome, models.SignInOutcomeResponse)
    assert isinstance(outcome.data, models.SignedIn)
    signed_in = client_module.AuthenticatedClient(
        base_url=server.url,
        headers=headers,
        token=outcome.data.access_token,
        raise_on_unexpected_status=True,
    )
    me = await me_get.asyncio(client=signed_in)
    assert isinstance(me, models.UserPublicResponse)
    assert me.data.id == created.data.id
    await auth_sign_in.asyncio(
        client=anonymous,
        body=models.SignIn(
            email="generated@example.com",
            password=PASSWORD,
            token=True,
        ),
    )
    listed = await auth_list_sessions.asyncio(client=signed_in, limit=1)
    assert isinstance(listed, models.SessionInfoList)
    assert listed.meta.limit == 1 and listed.meta.total_count == 2 and len(listed.data) == 1
    assert isinstance(listed.meta.next_cursor, str)

    signed_out = await auth_sign_out.asyncio(client=signed_in)
    assert isinstance(signed_out, models.Success) and signed_out.success is True
    # the documented problem comes back as the generated Problem model
    after = await me_get.asyncio(client=signed_in)
    assert isinstance(after, models.Problem)
    assert after.status == 401 and after.code == "UNAUTHENTICATED"


# Enough to try each operation's documented inputs, boundaries and wrong inputs, and to
# stay well inside the suite's 120 s per test. Deterministic: the same cases every run.
# One worker: with two threads, hypothesis parses lambda sources with `ast` concurrently,
# which CPython 3.11 can fail ("AST constructor recursion depth mismatch", seen once in CI
# conditions, a thread-safety bug of 3.11) — a crash of the tool, not a finding about the API.
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
SCHEMATHESIS = [
    "--checks",
    ",".join(CHECKS),
    "--phases",
    "examples,coverage,fuzzing",
    "--max-examples",
    "10",
    "--generation-deterministic",
    "--no-shrink",
    "--generation-with-security-parameters",
    "false",
    "--workers",
    "1",
    "--request-timeout",
    "10",
    "--no-color",
]


async def run_schemathesis(server, document: Path, token: str, *filters: str) -> str:  # type: ignore[no-untyped-def]
    process = await asyncio.create_subprocess_exec(
        str(BIN / "schemathesis"),
        "run",
        str(document),
        "--url",
        server.url,
        *SCHEMATHESIS,
        "-H",
        f"X-Client-Key: {CLIENT_KEY}",
        "-H",
        f"Authorization: Bearer {token}",
        *filters,
        cwd=document.parent,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=100)
    text = output.decode(errors="replace")
    assert process.returncode == 0, text
    return text


async def test_fuzzing_every_operation_finds_no_server_error_and_no_undocumented_answer(server, tmp_path):
    document = await served_document(server, tmp_path)
    user = await sign_up(server.client, email=f"fuzz-{uuid.uuid4().hex[:8]}@example.com")
    signed_in = await server.client.post(
        "/api/v1/auth/sign-in", json={"email": user["email"], "password": PASSWORD, "token": True}
    )
    token = signed_in.json()["data"]["access_token"]
    operations = sum(len(item) for item in orjson.loads(document.read_bytes())["paths"].values())
    # these can end the session every other operation is tried with (schemathesis reuses
    # the session ids it has seen listed): they go last
    enders = ("auth_sign_out", "auth_revoke_session")
    first = await run_schemathesis(
        server, document, token, *[arg for name in enders for arg in ("--exclude-operation-id", name)]
    )
    last = await run_schemathesis(
        server, document, token, *[arg for name in enders for arg in ("--include-operation-id", name)]
    )
    assert f"Tested: {operations - len(enders)}" in first and f"Tested: {len(enders)}" in last
