"""Tandem API entry point.

python server.py [run]          production: migrate, serve (HOST/PORT); secrets come from
                                the environment, and nothing is written
python server.py dev            development (`make run`): write .env with fresh secrets on
                                first run, migrate, serve in dev mode, print how to start
python server.py migrate        apply database migrations (Procfile: release)
python server.py makemigrations NAME   write migrations for model changes (every database)
python server.py keys generate  print a new client key
python server.py worker         run a Dramatiq worker process (Procfile: worker)
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import shlex
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from app.core.settings import Settings

ROOT = Path(__file__).resolve().parent
ENV_FILE = Path(".env")
# the account the printed examples create and sign in (dev mode only)
EXAMPLE_OWNER = {
    "name": "Ada Lovelace",
    "nickname": "ada",
    "email": "ada@example.com",
    "password": "analytical-engine-1843",
}


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def fail(message: str) -> NoReturn:
    """Stop with one message and exit code 2, no traceback (a configuration problem)."""
    sys.stderr.write(f"tandem: {message}\n")
    raise SystemExit(2)


def load(*, dev: bool = False) -> Settings:
    from app.core.settings import SettingsError
    from app.core.settings_sources import load_settings

    # TANDEM_CONFIG names another config file (the benchmark uses one with raised limits)
    config = os.environ.get("TANDEM_CONFIG", str(ROOT / "config.toml"))
    overrides = {"server": {"dev": True}} if dev else None
    try:
        return load_settings(config, dotenv_path=ENV_FILE, overrides=overrides)
    except SettingsError as error:
        hint = (
            ""
            if dev
            else ("\n(secrets come from the environment; for development, `make run` writes them to .env)")
        )
        fail(f"{error}{hint}")


def warn_about_dev_mode_in_env_file() -> None:
    """An older `make run` wrote TANDEM_DEV=true to .env; production ignores it (only the
    real environment may turn development mode on): say so once, with logging set up."""
    from app.core.settings_sources import ignored_dotenv_settings

    ignored = ignored_dotenv_settings(ENV_FILE)
    if ignored:
        logging.getLogger("tandem").warning(
            "%s in %s is ignored: development mode comes only from `python server.py dev` or "
            "the environment; remove it from the file",
            ", ".join(ignored),
            ENV_FILE,
        )


def command_migrate(settings: Settings | None = None) -> None:
    from app.core.database import apply_migrations

    settings = settings or load()
    applied = asyncio.run(apply_migrations(settings.database))
    say(f"migrations applied: {', '.join(applied) if applied else 'none (up to date)'}")


async def _needs_setup(settings: Settings) -> bool:
    from app.core.database import close_database, open_database
    from app.setup.service import needs_setup

    await open_database(settings.database)
    try:
        return await needs_setup()
    finally:
        await close_database()


def command_makemigrations(name: str) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from app.core.database import DIALECT_URLS, make_migration_in_process

    # a fresh process per dialect: aerich keeps what it generated in class attributes, so a
    # second dialect in the same process would get the first one's statements too
    for dialect in DIALECT_URLS:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            written = pool.submit(make_migration_in_process, dialect, name).result()
        say(f"{dialect}: {written or 'no changes'}")


def command_keys_generate() -> None:
    from app.core.keys import generate_client_key

    say(generate_client_key())


def build_app(*, dev: bool = False):  # type: ignore[no-untyped-def]
    """Runs in every server process (partial(build_app, dev=…) is what each one is given)."""
    from app.core.logging import configure_logging
    from app.main import create_app

    settings = load(dev=dev)
    configure_logging(settings.logging.level, json=settings.json_logs)
    app = create_app(settings)
    # what was imported and built here lives as long as the process: out of the cyclic
    # collector's way, so that its collections walk only what requests make (about a tenth
    # of a list page's CPU, measured with bench/; the gc.freeze() practice of CPython's docs)
    gc.collect()
    gc.freeze()
    return app


def serve(settings: Settings, *, dev: bool, needs_setup: bool) -> None:
    from sanic import Sanic
    from sanic.worker.loader import AppLoader

    loader = AppLoader(factory=partial(build_app, dev=dev))
    app = loader.load()  # each process's build_app sets up logging
    if not dev:
        warn_about_dev_mode_in_env_file()
    if needs_setup and not settings.security.setup_token:
        # not fatal: set-up stays closed (403) until a token is set, and an operator may
        # mean to open sign-up first and promote an Owner by hand (docs/accounts.md)
        logging.getLogger("tandem").warning(
            "no user exists yet and SETUP_TOKEN is not set: POST /api/v1/setup/bootstrap "
            "is closed until SETUP_TOKEN is set"
        )
    app.prepare(
        host=settings.server.host,
        port=settings.server.port,
        workers=settings.server.workers,
        access_log=False,  # our request-context link writes the access log
        motd=False,
        single_process=settings.server.workers == 1,
    )
    if settings.server.workers == 1:
        Sanic.serve_single(primary=app)
    else:
        Sanic.serve(primary=app, app_loader=loader)


def command_run() -> None:
    """Production: nothing is written and dev mode stays as configured (off by default)."""
    settings = load()
    command_migrate(settings)
    needs_setup = asyncio.run(_needs_setup(settings))
    serve(settings, dev=False, needs_setup=needs_setup)


def command_dev() -> None:
    from app.core.keys import write_env_file

    created = write_env_file(ENV_FILE) is not None
    settings = load(dev=True)
    command_migrate(settings)
    needs_setup = asyncio.run(_needs_setup(settings))
    say(banner(settings, created=created, needs_setup=needs_setup))
    serve(settings, dev=True, needs_setup=needs_setup)


def _curl(url: str, key: str, body: dict[str, object]) -> str:
    """A curl that works when pasted into sh or bash: the JSON goes in a quoted here-doc."""
    return (
        f"  curl -sS --fail-with-body {url} \\\n"
        f"    -H {shlex.quote('X-Client-Key: ' + key)} -H 'Content-Type: application/json' "
        f"--data @- <<'EOF'\n{json.dumps(body)}\nEOF"
    )


def banner(settings: Settings, *, created: bool, needs_setup: bool) -> str:
    """What `make run` prints: only URLs that answer, and the client key in effect (the
    environment may override the one in .env)."""
    base = settings.server.base_url
    key = settings.security.client_api_keys[0]
    lines = [
        "",
        "Created .env with a fresh client key, secret key and setup token."
        if created
        else "Using .env (and the environment).",
    ]
    lines += ["", f"  API:         {base}/api", f"  Client key:  {key}"]
    if settings.docs.enabled and settings.docs.public:
        lines.append(f"  API docs:    {base}/api/v1/docs  (ReDoc: {base}/api/v1/redoc)")
    if needs_setup and settings.security.setup_token:
        body = {"setup_token": settings.security.setup_token, **EXAMPLE_OWNER}
        lines += [
            "",
            "Try it: create the first account (the Owner) with the setup token:",
            _curl(f"{base}/api/v1/setup/bootstrap", key, body),
        ]
    elif needs_setup:
        lines += ["", "SETUP_TOKEN is not set: set-up (POST /api/v1/setup/bootstrap) is closed."]
    else:
        credentials = {"email": EXAMPLE_OWNER["email"], "password": EXAMPLE_OWNER["password"], "token": True}
        lines += [
            "",
            "Try it: sign in as the Owner the set-up example created:",
            _curl(f"{base}/api/v1/auth/sign-in", key, credentials),
        ]
    return "\n".join([*lines, ""])


def command_worker(extra: list[str]) -> None:
    # checked here, before dramatiq starts processes that would each fail on import
    settings = load()
    if not settings.broker_url:
        fail(
            "broker.url: a worker process needs BROKER_URL or REDIS_URL; without either, "
            "the API process runs the actors itself"
        )
    from dramatiq.cli import main as dramatiq_main

    from app.core.logging import configure_logging

    # the supervising process logs in our shape too, not dramatiq's own format; each
    # worker process sets up the same handler when it imports tasks.worker
    configure_logging(settings.logging.level, json=settings.json_logs)
    warn_about_dev_mode_in_env_file()
    sys.argv = ["dramatiq", "--skip-logging", "tasks.worker", *extra]
    raise SystemExit(dramatiq_main())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="server.py", description="Tandem API")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="production: migrate and serve; secrets from the environment")
    sub.add_parser("dev", help="development: write .env on first run, migrate, serve in dev mode")
    sub.add_parser("migrate", help="apply database migrations")
    makemigrations = sub.add_parser("makemigrations", help="write migrations for model changes")
    makemigrations.add_argument("name")
    keys = sub.add_parser("keys", help="client keys")
    keys.add_argument("action", choices=["generate"])
    # the worker's own options (--processes, --threads, …) are dramatiq's: passed through
    # as they are, which argparse.REMAINDER would not do for an option that comes first
    sub.add_parser("worker", help="run a Dramatiq worker (other options go to dramatiq)")
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "worker":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")

    if args.command in (None, "run"):
        command_run()
    elif args.command == "dev":
        command_dev()
    elif args.command == "migrate":
        command_migrate()
    elif args.command == "makemigrations":
        command_makemigrations(args.name)
    elif args.command == "keys":
        command_keys_generate()
    elif args.command == "worker":
        command_worker(extra)


if __name__ == "__main__":
    main()
