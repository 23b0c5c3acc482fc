"""Log lines (docs/observability.md): one JSON shape, the request they belong to, and no
personal data — neither the addresses, names and tokens a user sends nor those we email."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import threading
from datetime import datetime, timedelta

from app.core.logging import build_handler, request_id_var
from app.core.settings import Settings
from tests.conftest import ROOMY_AUTH_LIMIT, TRUSTED_ORIGIN
from tests.logs import CapturedLog
from tests.mail import SmtpServer, token_in

EMAIL = "grace.hopper@example.com"
NAME = "Grace Brewster Hopper"
NICKNAME = "amazing-grace-1906"
PASSWORD = "cobol-compiler-1959"
NEW_PASSWORD = "nanosecond-wire-30cm"


def logged_settings(make_settings, migrated_database: str, redis_url: str, smtp_url: str) -> Settings:  # type: ignore[no-untyped-def]
    """mail_settings with the access log on, as in production."""
    return make_settings(
        database={"url": migrated_database},
        redis={"url": redis_url},
        email={"backend": "smtp", "smtp_url": smtp_url},
        broker={"min_backoff_ms": 50, "max_backoff_ms": 500},
        outbox={"relay_interval_seconds": 0.2},
        rate_limits=ROOMY_AUTH_LIMIT,
        server={"access_log": True},
    )


async def test_sign_up_sign_in_and_password_reset_log_no_email_name_or_token(
    make_settings, migrated_database, redis_url, smtp_server: SmtpServer, captured_log: CapturedLog, start_app
):
    from tasks.broker import start_in_process_worker, stop_worker

    settings = logged_settings(make_settings, migrated_database, redis_url, smtp_server.url)
    secrets: list[str] = [EMAIL, NAME, NICKNAME, PASSWORD, NEW_PASSWORD]
    async with start_app(settings) as live:
        worker = start_in_process_worker(live.state.broker)
        try:
            client = live.client
            smtp_server.inbox.refuse = 1  # the first email fails once: the worker logs the failure
            signed_up = await client.post(
                "/api/v1/auth/sign-up",
                json={
                    "name": NAME,
                    "nickname": NICKNAME,
                    "email": EMAIL,
                    "password": PASSWORD,
                    "callback_url": f"{TRUSTED_ORIGIN}/welcome",
                },
            )
            assert signed_up.status_code == 201, signed_up.text
            verify_token = token_in(await smtp_server.inbox.wait_for(EMAIL, "confirm your email"))
            assert (
                await client.post("/api/v1/auth/verify-email", json={"token": verify_token})
            ).status_code == 200
            wrong = await client.post(
                "/api/v1/auth/sign-in", json={"email": EMAIL, "password": "nope-nope-nope"}
            )
            assert wrong.status_code == 401
            signed_in = await client.post(
                "/api/v1/auth/sign-in", json={"email": EMAIL, "password": PASSWORD, "token": True}
            )
            assert signed_in.status_code == 200, signed_in.text
            tokens = signed_in.json()["data"]
            bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
            me = await client.get("/api/v1/me", headers=bearer)
            assert me.status_code == 200
            user_id = me.json()["data"]["id"]
            # an address in the URL (a client's mistake, or a probe) is not logged either
            await client.get(f"/api/v1/users/{EMAIL}")
            forgot = await client.post(
                "/api/v1/auth/forgot-password",
                json={"email": EMAIL, "callback_url": f"{TRUSTED_ORIGIN}/reset"},
            )
            assert forgot.status_code == 200
            reset_token = token_in(await smtp_server.inbox.wait_for(EMAIL, "reset your"))
            reset = await client.post(
                "/api/v1/auth/reset-password", json={"token": reset_token, "new_password": NEW_PASSWORD}
            )
            assert reset.status_code == 200, reset.text
            await smtp_server.inbox.wait_for(EMAIL, "password was changed")
        finally:
            stop_worker(worker, timeout_ms=2_000)
    secrets += [
        verify_token,
        reset_token,
        tokens["access_token"],
        tokens["refresh_token"],
        signed_up.cookies.get("tandem_session") or "",
        signed_in.cookies.get("tandem_session") or "",
    ]

    text = captured_log.text()
    for secret in filter(None, secrets):
        assert secret not in text, f"{secret!r} was logged"
    assert EMAIL.split("@")[0] not in text

    lines = captured_log.lines()
    access = [line for line in lines if line["logger"] == "tandem.access"]
    assert access, "the access log wrote nothing"
    for line in access:
        assert {
            "time",
            "level",
            "message",
            "request_id",
            "method",
            "path",
            "route",
            "status",
            "duration_ms",
            "client_ip",
        } <= line.keys()
    me_line = next(line for line in access if line["route"] == "/api/v1/me")
    assert me_line["user_id"] == user_id and me_line["request_id"] == me.headers["x-request-id"]
    sign_up_line = next(line for line in access if line["path"] == "/api/v1/auth/sign-up")
    assert "user_id" not in sign_up_line  # anonymous: no identity to name
    # the worker's lines name their message and actor, in the same shape
    worker_lines = [line for line in lines if "message_id" in line]
    assert worker_lines and {line["actor"] for line in worker_lines} == {"send_email"}
    assert any(line["level"] in {"WARNING", "ERROR"} for line in worker_lines)


async def test_an_email_in_a_url_path_is_not_logged_even_percent_encoded(
    make_settings, migrated_database, redis_url, captured_log: CapturedLog, start_app
):
    settings = make_settings(
        database={"url": migrated_database}, redis={"url": redis_url}, server={"access_log": True}
    )
    async with start_app(settings) as live:
        await live.bare.get("/api/v1/lookup/grace.hopper%40example.com")
        await live.client.get("/api/v1/lookup/grace.hopper@example.com")
    text = captured_log.text()
    assert "grace.hopper" not in text
    assert text.count("[email]") >= 2


def test_production_logs_json_lines_and_dev_mode_readable_text(make_settings):
    production, dev = make_settings(), make_settings(server={"dev": True})
    assert production.json_logs and not dev.json_logs
    assert make_settings(server={"dev": True}, logging={"format": "json"}).json_logs
    assert not make_settings(logging={"format": "text"}).json_logs

    record = logging.LogRecord("tandem.test", logging.INFO, __file__, 1, "signed in %s", ("ok",), None)
    outputs = {}
    bound = request_id_var.set("req-12345678")
    try:
        for name, settings in (("production", production), ("dev", dev)):
            stream = io.StringIO()
            build_handler(json=settings.json_logs, stream=stream).handle(
                logging.makeLogRecord(record.__dict__)
            )
            outputs[name] = stream.getvalue().strip()
    finally:
        request_id_var.reset(bound)
    line = json.loads(outputs["production"])
    assert line["message"] == "signed in ok" and line["request_id"] == "req-12345678"
    assert line["level"] == "INFO" and line["logger"] == "tandem.test" and "time" in line
    assert outputs["dev"].endswith("INFO tandem.test [req-12345678] signed in ok")


def test_a_line_with_undecodable_bytes_or_an_address_in_an_extra_field_is_written_scrubbed():
    # what a client puts in a request line reaches extra fields: bytes Python keeps as lone
    # surrogates (orjson refuses them: the line was lost) and addresses (they were logged)
    stream = io.StringIO()
    handler = build_handler(json=True, stream=stream)
    record = logging.makeLogRecord(
        {
            "name": "tandem.test",
            "levelno": logging.INFO,
            "levelname": "INFO",
            "msg": "seen \udcff",
            "method": "ada@example.com",
            "path": "/api/\udcff\udcfe",
            "status": 400,
        }
    )
    handler.handle(record)
    line = json.loads(stream.getvalue())
    assert line["message"] == "seen \\udcff" and line["path"] == "/api/\\udcff\\udcfe"
    assert line["method"] == "[email]" and line["status"] == 400


def _buffered_handler() -> tuple[logging.Handler, io.BytesIO]:
    from app.core.logging import JsonFormatter, TurnBufferedHandler

    raw = io.BytesIO()
    handler = TurnBufferedHandler(io.TextIOWrapper(raw, encoding="utf-8", line_buffering=False))
    handler.setFormatter(JsonFormatter())
    return handler, raw


def _record(level: int, message: str) -> logging.LogRecord:
    return logging.makeLogRecord(
        {"name": "tandem.test", "levelno": level, "levelname": logging.getLevelName(level), "msg": message}
    )


async def test_lines_of_one_loop_turn_leave_together_at_its_end():
    # one write per turn instead of one per line (the access log's cost under load)
    handler, raw = _buffered_handler()
    handler.handle(_record(logging.INFO, "first"))
    handler.handle(_record(logging.INFO, "second"))
    assert raw.getvalue() == b""  # still this turn
    await asyncio.sleep(0)
    lines = [json.loads(line)["message"] for line in raw.getvalue().splitlines()]
    assert lines == ["first", "second"]


async def test_a_warning_is_written_at_once_with_what_came_before_it():
    handler, raw = _buffered_handler()
    handler.handle(_record(logging.INFO, "context"))
    handler.handle(_record(logging.WARNING, "trouble"))
    assert [json.loads(line)["message"] for line in raw.getvalue().splitlines()] == ["context", "trouble"]


def test_a_line_from_a_thread_without_a_loop_is_written_at_once():
    # Dramatiq's worker threads have no event loop whose turn could end
    handler, raw = _buffered_handler()
    worker = threading.Thread(target=handler.handle, args=(_record(logging.INFO, "from a worker"),))
    worker.start()
    worker.join()
    assert json.loads(raw.getvalue())["message"] == "from a worker"


def _production_handler() -> tuple[logging.Handler, io.BytesIO]:
    """The handler configure_logging installs, over a buffer instead of standard error."""
    from app.core.logging import OWN_FILTERS

    handler, raw = _buffered_handler()
    for kind in OWN_FILTERS:
        handler.addFilter(kind())
    return handler, raw


def _write_access_lines(path: str) -> tuple[dict, dict]:
    """One access line as AccessLog writes it straight to the production handler, and one
    as it goes through logging once another handler listens too."""
    from app.core.access_log import AccessLog
    from app.core.logging import bind_request

    handler, raw = _production_handler()
    listener = io.StringIO()
    records: list[str] = []
    make_record = logging.getLogRecordFactory()

    def counting_factory(*args, **kwargs):  # type: ignore[no-untyped-def]
        record = make_record(*args, **kwargs)
        records.append(record.name)
        return record

    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logging.setLogRecordFactory(counting_factory)
    try:
        bind_request("req-direct-1")
        access = AccessLog()
        fields = {
            "method": "GET",
            "path": path,
            "route": "/api/v1/me",
            "status": 200,
            "duration_ms": 1.25,
            "client_ip": "203.0.113.9",
        }
        access.write(**fields)
        handler.flush()
        assert records == [], "the production shape went through logging"
        root.addHandler(logging.StreamHandler(listener))  # now the ordinary path
        access.write(**fields)
        handler.flush()
    finally:
        logging.setLogRecordFactory(make_record)
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        request_id_var.set(None)
    direct, through_logging = (json.loads(line) for line in raw.getvalue().splitlines())
    assert records == ["tandem.access"] and listener.getvalue(), "the added handler got no line"
    return direct, through_logging


def test_an_access_line_written_directly_is_the_line_logging_writes():
    direct, through_logging = _write_access_lines("/api/v1/me")
    written = [datetime.fromisoformat(line.pop("time")) for line in (direct, through_logging)]
    assert abs(written[1] - written[0]) < timedelta(seconds=1) and written[0].utcoffset() == timedelta(0)
    assert direct == through_logging
    assert direct["request_id"] == "req-direct-1" and direct["logger"] == "tandem.access"
    assert direct["message"] == "GET /api/v1/me 200 1.25ms"


def test_an_access_line_for_a_path_with_undecodable_bytes_is_not_lost():
    direct, through_logging = _write_access_lines("/api/\udcff")
    assert direct["path"] == through_logging["path"] == "/api/\\udcff"
