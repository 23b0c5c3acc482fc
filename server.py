"""Tandem API entry point.

    python server.py [run]          init if needed, migrate, serve (HOST/PORT)
    python server.py init           write .env with fresh secrets (first run)
    python server.py migrate        apply database migrations
    python server.py makemigrations NAME   write migrations for model changes (every database)
    python server.py keys generate  print a new client key
    python server.py worker         run a Dramatiq worker process (Procfile: worker)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent
ENV_FILE = Path(".env")


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def load() -> Settings:  # noqa: F821 - imported lazily so `keys generate` needs no config
    from app.core.settings import SettingsError, load_settings

    # TANDEM_CONFIG names another config file (the benchmark uses one with raised limits)
    config = os.environ.get("TANDEM_CONFIG", str(ROOT / "config.toml"))
    try:
        return load_settings(config, dotenv_path=ENV_FILE)
    except SettingsError as error:
        sys.stderr.write(f"tandem: {error}\n")
        raise SystemExit(2) from None


def command_init() -> None:
    from app.core.keys import write_env_file

    values = write_env_file(ENV_FILE)
    if values is None:
        return
    settings = load()
    base = settings.server.base_url
    key = values["CLIENT_API_KEYS"]
    say(f"""
Created .env with a fresh client key, secret key and setup token.

  Client key:  {key}
  API docs:    {base}/api/v1/docs
  Setup token: in .env (SETUP_TOKEN)

Try it:
  curl -s {base}/api/v1/auth/sign-up \\
    -H 'X-Client-Key: {key}' -H 'Content-Type: application/json' \\
    -d '{{"name": "Ada Lovelace", "nickname": "ada", "email": "ada@example.com", "password": "analytical-engine-1843"}}'
""")


def command_migrate() -> None:
    from app.core.database import apply_migrations

    settings = load()
    applied = asyncio.run(apply_migrations(settings.database))
    say(f"migrations applied: {', '.join(applied) if applied else 'none (up to date)'}")


def command_makemigrations(name: str) -> None:
    from app.core.database import DIALECT_URLS, make_migration

    for dialect in DIALECT_URLS:
        written = asyncio.run(make_migration(dialect, name))
        say(f"{dialect}: {written or 'no changes'}")


def command_keys_generate() -> None:
    from app.core.keys import generate_client_key

    say(generate_client_key())


def build_app():  # type: ignore[no-untyped-def]
    from app.core.factory import create_app
    from app.core.logging import configure_logging

    settings = load()
    configure_logging(settings.logging.level)
    return create_app(settings)


def command_run() -> None:
    from sanic import Sanic
    from sanic.worker.loader import AppLoader

    command_init()
    command_migrate()
    settings = load()
    loader = AppLoader(factory=partial(build_app))
    app = loader.load()
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


def command_worker(extra: list[str]) -> None:
    from dramatiq.cli import main as dramatiq_main

    sys.argv = ["dramatiq", "tasks.worker", *extra]
    raise SystemExit(dramatiq_main())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="server.py", description="Tandem API")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="init if needed, migrate, serve")
    sub.add_parser("init", help="write .env with fresh secrets if it does not exist")
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
    elif args.command == "init":
        command_init()
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
