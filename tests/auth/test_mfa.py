"""TOTP two-factor authentication (SPEC §2), end to end over HTTP; codes come from pyotp
as an authenticator app computes them, and the clock is moved, not slept."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pyotp
import pytest
import time_machine

from app.auth import one_time_tokens
from app.auth.one_time_tokens import Purpose
from models import RecoveryCode, User
from tests.factories import PASSWORD, SignedInUser, signed_in_user, use_cookie, verify_email
from tests.mail import text_of
from tests.problems import assert_problem

TOTP_STEP = 30
pytestmark = pytest.mark.many_sign_ins


@dataclass
class MfaUser:
    person: SignedInUser
    secret: str
    recovery_codes: list[str]


@contextmanager
def steps_later(count: int) -> Iterator[None]:
    """The clock `count` TOTP steps on: each accepted code spends its step."""
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=TOTP_STEP * count), tick=True):
        yield


async def verified_person(server) -> SignedInUser:  # type: ignore[no-untyped-def]
    """Two-factor authentication needs a verified email (SPEC §2)."""
    person = await signed_in_user(server)
    await verify_email(person)
    return person


async def enroll(person: SignedInUser) -> dict:
    response = await person.client.post("/api/v1/auth/mfa/enroll", json={"password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def activate(person: SignedInUser, code: str, password: str = PASSWORD) -> httpx.Response:
    return await person.client.post("/api/v1/auth/mfa/activate", json={"code": code, "password": password})


async def mfa_user(server) -> MfaUser:  # type: ignore[no-untyped-def]
    person = await verified_person(server)
    enrollment = await enroll(person)
    code = pyotp.TOTP(enrollment["secret"]).now()
    response = await activate(person, code)
    assert response.status_code == 200, response.text
    use_cookie(person.client, response.cookies["tandem_session"])
    return MfaUser(person, enrollment["secret"], enrollment["recovery_codes"])


async def sign_in(client: httpx.AsyncClient, email: str, **extra: object) -> httpx.Response:
    return await client.post("/api/v1/auth/sign-in", json={"email": email, "password": PASSWORD, **extra})


async def challenge(client: httpx.AsyncClient, email: str, **extra: object) -> str:
    response = await sign_in(client, email, **extra)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["mfa_required"] is True
    assert "set-cookie" not in response.headers  # no session before the second factor
    return data["mfa_token"]


async def verify(client: httpx.AsyncClient, mfa_token: str, code: str) -> httpx.Response:
    return await client.post("/api/v1/auth/mfa/verify", json={"mfa_token": mfa_token, "code": code})


async def test_enrollment_gives_a_secret_an_app_can_use_and_ten_recovery_codes(server):
    person = await verified_person(server)
    enrollment = await enroll(person)

    uri = pyotp.parse_uri(enrollment["otpauth_uri"])
    assert uri.secret == enrollment["secret"]
    assert uri.issuer == server.state.settings.accounts.mfa_issuer
    assert uri.name == person.email
    assert len(set(enrollment["recovery_codes"])) == 10
    # not on until activated: sign-in still gives a session at once
    response = await sign_in(server.client, person.email)
    assert "session" in response.json()["data"]


async def test_sign_in_with_mfa_needs_a_code_then_opens_a_cookie_session(server):
    user = await mfa_user(server)
    client = httpx.AsyncClient(base_url=server.url, headers=dict(server.client.headers), timeout=10)
    mfa_token = await challenge(client, user.person.email)

    with steps_later(1):
        response = await verify(client, mfa_token, pyotp.TOTP(user.secret).now())

    assert response.status_code == 200, response.text
    assert response.json()["data"]["access_token"] is None
    use_cookie(client, response.cookies["tandem_session"])
    me = (await client.get("/api/v1/me")).json()["data"]
    assert me["id"] == user.person.id and me["mfa_enabled"] is True


async def test_sign_in_with_mfa_and_token_true_gives_bearer_tokens(server):
    user = await mfa_user(server)
    mfa_token = await challenge(server.client, user.person.email, token=True)

    with steps_later(1):
        response = await verify(server.client, mfa_token, pyotp.TOTP(user.secret).now())

    assert response.status_code == 200, response.text
    assert "set-cookie" not in response.headers
    access = response.json()["data"]["access_token"]
    me = await server.client.get("/api/v1/me", headers={"Authorization": f"Bearer {access}"})
    assert me.status_code == 200


async def test_a_totp_code_works_once(server):
    user = await mfa_user(server)
    with steps_later(1):
        code = pyotp.TOTP(user.secret).now()
        first = await verify(server.client, await challenge(server.client, user.person.email), code)
        replay = await verify(server.client, await challenge(server.client, user.person.email), code)

    assert first.status_code == 200, first.text
    assert_problem(replay, 422, "INCORRECT_CODE")


async def test_the_activation_code_cannot_sign_in(server):
    person = await verified_person(server)
    secret = (await enroll(person))["secret"]
    code = pyotp.TOTP(secret).now()
    assert (await activate(person, code)).status_code == 200

    response = await verify(server.client, await challenge(server.client, person.email), code)

    assert_problem(response, 422, "INCORRECT_CODE")


async def test_a_recovery_code_works_once_whatever_its_case_and_dashes(server):
    user = await mfa_user(server)
    code = user.recovery_codes[0]

    first = await verify(
        server.client, await challenge(server.client, user.person.email), code.upper().replace("-", "")
    )
    again = await verify(server.client, await challenge(server.client, user.person.email), code)

    assert first.status_code == 200, first.text
    assert_problem(again, 422, "INCORRECT_CODE")
    assert await RecoveryCode.filter(user_id=user.person.id, used_at=None).count() == 9


async def test_five_wrong_codes_end_the_challenge(server):
    user = await mfa_user(server)
    mfa_token = await challenge(server.client, user.person.email)
    for _ in range(5):
        assert_problem(await verify(server.client, mfa_token, "000000"), 422, "INCORRECT_CODE")

    with steps_later(1):
        response = await verify(server.client, mfa_token, pyotp.TOTP(user.secret).now())

    assert_problem(response, 422, "INVALID_TOKEN")


async def test_parallel_guesses_get_five_attempts_in_all(server):
    user = await mfa_user(server)
    mfa_token = await challenge(server.client, user.person.email)

    answers = await asyncio.gather(*(verify(server.client, mfa_token, f"{guess:06d}") for guess in range(10)))

    codes = sorted(answer.json()["code"] for answer in answers)
    assert codes == ["INCORRECT_CODE"] * 5 + ["INVALID_TOKEN"] * 5


async def test_wrong_codes_add_up_across_sign_ins_until_the_account_locks(server):
    user = await mfa_user(server)
    limit = server.state.settings.accounts.lockout_after_failures
    wrong = 0
    while wrong < limit:
        # a fresh challenge every five codes: the right password must not wipe the count
        mfa_token = await challenge(server.client, user.person.email)
        for _ in range(min(5, limit - wrong)):
            assert_problem(await verify(server.client, mfa_token, "000000"), 422, "INCORRECT_CODE")
            wrong += 1

    locked = await sign_in(server.client, user.person.email)

    assert_problem(locked, 429, "RATE_LIMITED")
    assert int(locked.headers["retry-after"]) > 0


async def test_an_expired_challenge_is_refused(server):
    user = await mfa_user(server)
    mfa_token = await challenge(server.client, user.person.email)
    ttl = server.state.settings.accounts.mfa_challenge_seconds

    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=ttl + 5), tick=True):
        response = await verify(server.client, mfa_token, pyotp.TOTP(user.secret).now())

    assert_problem(response, 422, "INVALID_TOKEN")


async def test_a_token_of_another_purpose_is_not_a_challenge(server):
    user = await mfa_user(server)
    reset = await one_time_tokens.issue(user.person.id, Purpose.RESET_PASSWORD, ttl_seconds=60)

    with steps_later(1):
        response = await verify(server.client, reset, pyotp.TOTP(user.secret).now())

    assert_problem(response, 422, "INVALID_TOKEN")
    assert_problem(await verify(server.client, "short", "123456"), 400, "VALIDATION_ERROR")


async def test_activation_with_a_wrong_code_changes_nothing(server):
    person = await verified_person(server)
    secret = (await enroll(person))["secret"]
    wrong = pyotp.TOTP(pyotp.random_base32()).now()

    response = await activate(person, wrong)

    assert_problem(response, 422, "INCORRECT_CODE")
    user = await User.get(id=person.id)
    assert user.mfa_enabled is False and user.mfa_secret is None and user.mfa_pending_secret == secret
    assert "session" in (await sign_in(server.client, person.email)).json()["data"]


async def test_activation_renews_the_session_cookie(server):
    person = await verified_person(server)
    old_cookie = person.cookie
    secret = (await enroll(person))["secret"]

    response = await activate(person, pyotp.TOTP(secret).now())

    assert response.json()["data"] == {"mfa_enabled": True}
    new_cookie = response.cookies["tandem_session"]
    assert new_cookie != old_cookie
    person.use_cookie(old_cookie)
    assert_problem(await person.client.get("/api/v1/me"), 401, "UNAUTHENTICATED")
    person.use_cookie(new_cookie)
    assert (await person.client.get("/api/v1/me")).json()["data"]["mfa_enabled"] is True


async def test_enrolling_again_while_on_is_409(server):
    user = await mfa_user(server)
    response = await user.person.client.post("/api/v1/auth/mfa/enroll", json={"password": PASSWORD})
    assert_problem(response, 409, "CONFLICT")


async def test_turning_two_factor_on_and_off_emails_the_owner(mail_server, smtp_server):
    user = await mfa_user(mail_server)
    turned_on = await smtp_server.inbox.wait_for(user.person.email, "turned on")
    assert "turned on" in text_of(turned_on)

    with steps_later(1):
        code = pyotp.TOTP(user.secret).now()
        response = await user.person.client.post(
            "/api/v1/auth/mfa/disable", json={"password": PASSWORD, "code": code}
        )
    assert response.status_code == 200, response.text

    turned_off = await smtp_server.inbox.wait_for(user.person.email, "turned off")
    assert "needs only your password" in text_of(turned_off)


async def test_disable_needs_the_password_and_a_code(server):
    user = await mfa_user(server)
    client = user.person.client

    with steps_later(1):
        code = pyotp.TOTP(user.secret).now()
        wrong_password = await client.post(
            "/api/v1/auth/mfa/disable", json={"password": "not-the-password", "code": code}
        )
        wrong_code = await client.post(
            "/api/v1/auth/mfa/disable", json={"password": PASSWORD, "code": "111111"}
        )
        assert (await User.get(id=user.person.id)).mfa_enabled is True
        response = await client.post("/api/v1/auth/mfa/disable", json={"password": PASSWORD, "code": code})

    assert_problem(wrong_password, 422, "INCORRECT_PASSWORD")
    assert_problem(wrong_code, 422, "INCORRECT_CODE")
    assert response.status_code == 200, response.text
    assert (await client.get("/api/v1/me")).json()["data"]["mfa_enabled"] is False
    assert await RecoveryCode.filter(user_id=user.person.id).count() == 0
    assert "session" in (await sign_in(server.client, user.person.email)).json()["data"]


async def test_the_secret_is_never_shown_again_after_enrollment(server):
    person = await verified_person(server)
    enrollment = await enroll(person)
    secret = enrollment["secret"]
    answers = [await activate(person, pyotp.TOTP(secret).now())]
    person.use_cookie(answers[0].cookies["tandem_session"])
    answers.append(await person.client.get("/api/v1/me"))
    answers.append(await sign_in(server.client, person.email))
    with steps_later(1):
        mfa_token = answers[-1].json()["data"]["mfa_token"]
        answers.append(await verify(server.client, mfa_token, pyotp.TOTP(secret).now()))
    answers.append(await person.client.get("/api/v1/auth/sessions"))

    for answer in answers:
        assert answer.status_code == 200, answer.text
        assert secret not in answer.text
        assert not any(code in answer.text for code in enrollment["recovery_codes"])
    # stored hashed: the codes themselves are nowhere in the database
    stored = await RecoveryCode.filter(user_id=person.id).values_list("code_hash", flat=True)
    assert not set(enrollment["recovery_codes"]) & set(stored)


async def test_stolen_session_cannot_enroll_mfa_without_password(server):
    person = await verified_person(server)  # whoever holds the cookie, not the password

    wrong = await person.client.post("/api/v1/auth/mfa/enroll", json={"password": "a-guess-at-it"})
    missing = await person.client.post("/api/v1/auth/mfa/enroll", json={})

    assert_problem(wrong, 422, "INCORRECT_PASSWORD")
    assert_problem(missing, 400, "VALIDATION_ERROR")
    user = await User.get(id=person.id)
    assert user.mfa_pending_secret is None and user.mfa_enabled is False
    assert await RecoveryCode.filter(user_id=person.id).count() == 0


async def test_stolen_session_cannot_activate_mfa_without_password(server):
    person = await verified_person(server)
    secret = (await enroll(person))["secret"]  # say the thief saw the secret
    code = pyotp.TOTP(secret).now()

    wrong = await activate(person, code, password="a-guess-at-it")
    missing = await person.client.post("/api/v1/auth/mfa/activate", json={"code": code})

    assert_problem(wrong, 422, "INCORRECT_PASSWORD")
    assert_problem(missing, 400, "VALIDATION_ERROR")
    assert (await User.get(id=person.id)).mfa_enabled is False
    assert "session" in (await sign_in(server.client, person.email)).json()["data"]


async def test_mfa_enroll_requires_verified_email(server):
    person = await signed_in_user(server)  # the address was never proven

    response = await person.client.post("/api/v1/auth/mfa/enroll", json={"password": PASSWORD})

    body = assert_problem(response, 422, "UNPROCESSABLE")
    assert "verify" in body["detail"].lower()
    assert (await User.get(id=person.id)).mfa_pending_secret is None
    await verify_email(person)
    assert (await enroll(person))["secret"]


async def test_mfa_activation_ends_other_sessions(server):
    person = await verified_person(server)
    other_cookie = await signed_in_user_again(server, person.email)
    bearer = (await sign_in(server.client, person.email, token=True)).json()["data"]["access_token"]
    secret = (await enroll(person))["secret"]

    response = await activate(person, pyotp.TOTP(secret).now())

    assert response.status_code == 200, response.text
    person.use_cookie(response.cookies["tandem_session"])
    assert (await person.client.get("/api/v1/me")).json()["data"]["mfa_enabled"] is True
    other = httpx.AsyncClient(base_url=server.url, headers=dict(server.client.headers), timeout=10)
    use_cookie(other, other_cookie)
    assert_problem(await other.get("/api/v1/me"), 401, "UNAUTHENTICATED")
    by_bearer = await server.client.get("/api/v1/me", headers={"Authorization": f"Bearer {bearer}"})
    assert_problem(by_bearer, 401, "UNAUTHENTICATED")


async def test_mfa_activation_from_a_bearer_session_keeps_that_session(server):
    person = await verified_person(server)
    bearer = (await sign_in(server.client, person.email, token=True)).json()["data"]["access_token"]
    app = httpx.AsyncClient(
        base_url=server.url,
        timeout=10,
        headers={**dict(server.client.headers), "Authorization": f"Bearer {bearer}"},
    )
    secret = (await app.post("/api/v1/auth/mfa/enroll", json={"password": PASSWORD})).json()["data"]["secret"]

    response = await app.post(
        "/api/v1/auth/mfa/activate", json={"code": pyotp.TOTP(secret).now(), "password": PASSWORD}
    )

    assert response.status_code == 200, response.text
    assert (await app.get("/api/v1/me")).json()["data"]["mfa_enabled"] is True
    assert_problem(await person.client.get("/api/v1/me"), 401, "UNAUTHENTICATED")


async def test_wrong_codes_at_mfa_disable_count_towards_the_lockout(server):
    user = await mfa_user(server)
    limit = server.state.settings.accounts.lockout_after_failures
    for _ in range(limit):  # the password is right: only the code is guessed
        wrong = await user.person.client.post(
            "/api/v1/auth/mfa/disable", json={"password": PASSWORD, "code": "000000"}
        )
        assert_problem(wrong, 422, "INCORRECT_CODE")

    with steps_later(1):
        code = pyotp.TOTP(user.secret).now()
        disable = await user.person.client.post(
            "/api/v1/auth/mfa/disable", json={"password": PASSWORD, "code": code}
        )
    assert_problem(disable, 429, "RATE_LIMITED")
    assert_problem(await sign_in(server.client, user.person.email), 429, "RATE_LIMITED")
    assert (await User.get(id=user.person.id)).mfa_enabled is True


async def signed_in_user_again(server, email: str) -> str:  # type: ignore[no-untyped-def]
    """A second cookie session of the same account, as from another browser."""
    client = httpx.AsyncClient(base_url=server.url, headers=dict(server.client.headers), timeout=10)
    response = await sign_in(client, email)
    assert response.status_code == 200, response.text
    return response.cookies["tandem_session"]
