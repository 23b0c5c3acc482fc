"""SPEC §3 profile changes, end to end: request → email via outbox, broker, worker and
aiosmtpd → the token read out of that email → confirm-change."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import time_machine

from app.auth.one_time_tokens import Purpose
from models import OneTimeToken, User
from tests.conftest import TRUSTED_ORIGIN
from tests.factories import PASSWORD, SignedInUser, sign_up, signed_in_user
from tests.mail import text_of, token_in
from tests.problems import assert_problem

CALLBACK = f"{TRUSTED_ORIGIN}/confirm"
NEW_PASSWORD = "a-brand-new-passphrase"
PROFILE_SUBJECT = "change to your"
EMAIL_OLD_SUBJECT = "change of your"
EMAIL_NEW_SUBJECT = "verify your new"
PASSWORD_SUBJECT = "confirm your new"


async def pending(person: SignedInUser, purpose: Purpose) -> bool:
    """Whether a confirmation was issued: its email is staged in the same transaction as
    its token, so no token means no email (the relay deletes staged rows once sent)."""
    return await OneTimeToken.filter(user_id=person.id, purpose=purpose).exists()


async def confirm(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/api/v1/profile/confirm-change", json={"token": token})


async def request(person: SignedInUser, change: str, **body: object) -> httpx.Response:
    return await person.client.post(
        f"/api/v1/profile/request-{change}-change", json={"callback_url": CALLBACK, **body}
    )


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/auth/sign-in", json={"email": email, "password": password})


async def link_to_new_address(server, smtp_server, person: SignedInUser, new_email: str) -> str:  # type: ignore[no-untyped-def]
    """Request an email change and confirm it from the old address: the token of the
    link that then goes to the new address."""
    await request(person, "email", new_email=new_email)
    first = token_in(await smtp_server.inbox.wait_for(person.email, EMAIL_OLD_SUBJECT))
    assert (await confirm(server.client, first)).status_code == 200
    return token_in(await smtp_server.inbox.wait_for(new_email, EMAIL_NEW_SUBJECT))


async def test_profile_change_applies_only_when_confirmed(mail_server, smtp_server):
    person = await signed_in_user(mail_server)

    response = await request(person, "profile", name="Grace Hopper", nickname="grace")

    assert response.status_code == 200, response.text
    assert response.json() == {"status": True}
    assert (await person.client.get("/api/v1/me")).json()["data"]["nickname"] != "grace"
    message = await smtp_server.inbox.wait_for(person.email, PROFILE_SUBJECT)
    assert "Grace Hopper" in text_of(message) and f"{CALLBACK}?token=" in text_of(message)

    confirmed = await confirm(mail_server.client, token_in(message))

    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    assert body["status"] is True and body["type"] == "profile" and body["step"] == "completed"
    assert body["requires_login"] is False and body["user"]["nickname"] == "grace"
    me = (await person.client.get("/api/v1/me")).json()["data"]  # the cached snapshot was renewed
    assert (me["name"], me["nickname"]) == ("Grace Hopper", "grace")
    assert_problem(await confirm(mail_server.client, token_in(message)), 422, "INVALID_TOKEN")


async def test_email_change_confirms_at_the_old_address_then_the_new_one(mail_server, smtp_server):
    person = await signed_in_user(mail_server)
    new_email = f"new-{person.email}"

    assert (await request(person, "email", new_email=new_email.upper())).status_code == 200

    first = await smtp_server.inbox.wait_for(person.email, EMAIL_OLD_SUBJECT)
    assert new_email in text_of(first)
    step_one = await confirm(mail_server.client, token_in(first))
    assert step_one.status_code == 200, step_one.text
    assert step_one.json()["step"] == "new-email-verification-sent"
    assert step_one.json()["user"]["email"] == person.email  # nothing switched yet
    second = await smtp_server.inbox.wait_for(new_email, EMAIL_NEW_SUBJECT)
    assert f"{CALLBACK}?token=" in text_of(second)
    step_two = await confirm(mail_server.client, token_in(second))

    assert step_two.status_code == 200, step_two.text
    body = step_two.json()
    assert (body["type"], body["step"]) == ("email", "completed")
    assert body["user"]["email"] == new_email and body["user"]["email_verified"] is True
    assert (await sign_in(mail_server.client, new_email, PASSWORD)).status_code == 200
    assert_problem(await sign_in(mail_server.client, person.email, PASSWORD), 401, "UNAUTHENTICATED")


async def forgot_password(person: SignedInUser, email: str) -> httpx.Response:
    return await person.client.post(
        "/api/v1/auth/forgot-password", json={"email": email, "callback_url": CALLBACK}
    )


async def reset_password(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/reset-password", json={"token": token, "new_password": "taken-over-passphrase"}
    )


async def test_after_an_email_change_links_in_the_old_mailbox_stop_working(mail_server, smtp_server):
    person = await signed_in_user(mail_server)
    new_email = f"moved-{person.email}"
    await forgot_password(person, person.email)
    old_reset = token_in(await smtp_server.inbox.wait_for(person.email, "reset your"))
    second = await link_to_new_address(mail_server, smtp_server, person, new_email)

    assert (await confirm(mail_server.client, second)).status_code == 200

    notice = await smtp_server.inbox.wait_for(person.email, "email address was changed")
    assert new_email in text_of(notice)
    assert_problem(await reset_password(mail_server.client, old_reset), 422, "INVALID_TOKEN")
    assert (await sign_in(mail_server.client, new_email, PASSWORD)).status_code == 200


async def test_a_password_change_and_a_reset_do_not_outlive_each_other(mail_server, smtp_server):
    person = await signed_in_user(mail_server)
    await forgot_password(person, person.email)
    reset = token_in(await smtp_server.inbox.wait_for(person.email, "reset your"))
    await request(person, "password", current_password=PASSWORD, new_password=NEW_PASSWORD)
    change = token_in(await smtp_server.inbox.wait_for(person.email, PASSWORD_SUBJECT))

    assert (await confirm(mail_server.client, change)).status_code == 200

    assert_problem(await reset_password(mail_server.client, reset), 422, "INVALID_TOKEN")
    assert (await sign_in(mail_server.client, person.email, NEW_PASSWORD)).status_code == 200

    # the other way round: a reset stops a password change that is still waiting
    again = await signed_in_user(mail_server)
    await request(again, "password", current_password=PASSWORD, new_password=NEW_PASSWORD)
    waiting = token_in(await smtp_server.inbox.wait_for(again.email, PASSWORD_SUBJECT))
    await forgot_password(again, again.email)
    reset = token_in(await smtp_server.inbox.wait_for(again.email, "reset your"))
    assert (await reset_password(mail_server.client, reset)).status_code == 200

    assert_problem(await confirm(mail_server.client, waiting), 422, "INVALID_TOKEN")
    assert (await sign_in(mail_server.client, again.email, "taken-over-passphrase")).status_code == 200


async def test_a_reset_stops_an_email_change_half_done(mail_server, smtp_server):
    """Someone with the mailbox for a while started moving the account to their own
    address; the owner's reset must void the link that would complete it."""
    person = await signed_in_user(mail_server)
    theirs = f"intruder-{person.email}"
    second = await link_to_new_address(mail_server, smtp_server, person, theirs)

    await forgot_password(person, person.email)
    reset = token_in(await smtp_server.inbox.wait_for(person.email, "reset your"))
    assert (await reset_password(mail_server.client, reset)).status_code == 200

    assert_problem(await confirm(mail_server.client, second), 422, "INVALID_TOKEN")
    assert (await User.get(id=person.id)).email == person.email


async def test_email_change_to_a_taken_address_is_409_and_sends_nothing(mail_server, smtp_server):
    person = await signed_in_user(mail_server)
    other = await sign_up(mail_server.client)

    response = await request(person, "email", new_email=other["email"])

    assert_problem(response, 409, "CONFLICT")
    assert not await pending(person, Purpose.CONFIRM_EMAIL_OLD)


async def test_email_taken_between_the_two_steps_is_409_at_confirmation(mail_server, smtp_server):
    person = await signed_in_user(mail_server)
    new_email = f"contested-{person.email}"
    second = await link_to_new_address(mail_server, smtp_server, person, new_email)
    await sign_up(mail_server.client, email=new_email)

    assert_problem(await confirm(mail_server.client, second), 409, "CONFLICT")
    assert (await User.get(id=person.id)).email == person.email


async def test_password_change_ends_every_session_and_needs_a_new_sign_in(mail_server, smtp_server):
    person = await signed_in_user(mail_server)

    response = await request(person, "password", current_password=PASSWORD, new_password=NEW_PASSWORD)

    assert response.status_code == 200, response.text
    # nothing changes before confirmation
    assert (await sign_in(mail_server.client, person.email, PASSWORD)).status_code == 200
    message = await smtp_server.inbox.wait_for(person.email, PASSWORD_SUBJECT)
    confirmed = await confirm(mail_server.client, token_in(message))

    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json() == {
        "status": True,
        "type": "password",
        "step": "completed",
        "requires_login": True,
        "user": None,
    }
    assert_problem(await person.client.get("/api/v1/me"), 401, "UNAUTHENTICATED")
    assert_problem(await sign_in(mail_server.client, person.email, PASSWORD), 401, "UNAUTHENTICATED")
    assert (await sign_in(mail_server.client, person.email, NEW_PASSWORD)).status_code == 200
    await smtp_server.inbox.wait_for(person.email, "password was changed")


async def test_wrong_current_password_stages_nothing(mail_server, smtp_server):
    person = await signed_in_user(mail_server)

    response = await request(
        person, "password", current_password="not-my-password", new_password=NEW_PASSWORD
    )

    assert_problem(response, 422, "INCORRECT_PASSWORD")
    assert not await pending(person, Purpose.CONFIRM_PASSWORD)
    assert (await person.client.get("/api/v1/me")).status_code == 200  # still signed in


async def test_a_newer_request_supersedes_the_pending_one(mail_server, smtp_server):
    person = await signed_in_user(mail_server)
    await request(person, "profile", name="First", nickname="first-choice")
    first = token_in(await smtp_server.inbox.wait_for(person.email, PROFILE_SUBJECT))
    await request(person, "profile", name="Second", nickname="second-choice")
    second = token_in(await smtp_server.inbox.wait_for(person.email, PROFILE_SUBJECT, count=2))

    assert_problem(await confirm(mail_server.client, first), 422, "INVALID_TOKEN")
    assert (await confirm(mail_server.client, second)).json()["user"]["nickname"] == "second-choice"


async def test_an_expired_token_changes_nothing(mail_server, smtp_server):
    person = await signed_in_user(mail_server)
    await request(person, "profile", name="Late", nickname="too-late")
    token = token_in(await smtp_server.inbox.wait_for(person.email, PROFILE_SUBJECT))
    ttl = mail_server.state.settings.accounts.email_token_seconds

    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=ttl + 5), tick=True):
        response = await confirm(mail_server.client, token)

    assert_problem(response, 422, "INVALID_TOKEN")
    assert (await User.get(id=person.id)).nickname != "too-late"


async def test_tokens_of_other_purposes_and_malformed_tokens_are_refused(mail_server, smtp_server):
    user = await sign_up(mail_server.client)
    verification = token_in(await smtp_server.inbox.wait_for(user["email"], "confirm your email"))

    assert_problem(await confirm(mail_server.client, verification), 422, "INVALID_TOKEN")
    assert_problem(await confirm(mail_server.client, "not-a-token"), 400, "VALIDATION_ERROR")
    # the verification token was not spent by the refused attempt
    verified = await mail_server.client.post("/api/v1/auth/verify-email", json={"token": verification})
    assert verified.status_code == 200, verified.text


async def test_an_untrusted_callback_url_is_400_and_sends_nothing(mail_server, smtp_server):
    person = await signed_in_user(mail_server)

    for callback in ("https://app.example.com.evil.net/x", "https://evil.net/confirm"):
        response = await person.client.post(
            "/api/v1/profile/request-profile-change",
            json={"name": "Eve", "nickname": "eve", "callback_url": callback},
        )
        body = assert_problem(response, 400, "VALIDATION_ERROR")
        assert body["errors"][0]["field"] == "callback_url"

    assert not await pending(person, Purpose.CONFIRM_PROFILE)


async def test_a_taken_nickname_is_409_now_and_at_confirmation(mail_server, smtp_server):
    person = await signed_in_user(mail_server)
    other = await sign_up(mail_server.client)
    assert_problem(await request(person, "profile", name="X", nickname=other["nickname"]), 409, "CONFLICT")

    await request(person, "profile", name="Y", nickname="soon-taken")
    token = token_in(await smtp_server.inbox.wait_for(person.email, PROFILE_SUBJECT))
    await sign_up(mail_server.client, nickname="soon-taken")

    assert_problem(await confirm(mail_server.client, token), 409, "CONFLICT")
    assert (await User.get(id=person.id)).nickname != "soon-taken"


async def test_requests_need_a_session_and_refuse_sensitive_extra_fields(mail_server):
    anonymous = await mail_server.client.post(
        "/api/v1/profile/request-profile-change",
        json={"name": "A", "nickname": "anon", "callback_url": CALLBACK},
    )
    assert_problem(anonymous, 401, "UNAUTHENTICATED")

    person = await signed_in_user(mail_server)
    sneaky = await request(person, "profile", name="A", nickname="sneaky", global_role="Owner")
    assert_problem(sneaky, 400, "VALIDATION_ERROR")
    assert (await User.get(id=person.id)).global_role is None


async def test_a_confirmation_racing_a_newer_email_change_cannot_leave_the_older_link_alive(
    mail_server, smtp_server
):
    # the first step of an older change is confirmed while a newer change is requested:
    # whichever commits first, the older change's next link must not stay usable
    person = await signed_in_user(mail_server)
    steps = [Purpose.CONFIRM_EMAIL_OLD, Purpose.CONFIRM_EMAIL_NEW]
    for round_number in range(4):
        await request(person, "email", new_email=f"older{round_number}@example.com")
        older = token_in(
            await smtp_server.inbox.wait_for(person.email, EMAIL_OLD_SUBJECT, count=2 * round_number + 1)
        )
        confirmed, requested = await asyncio.gather(
            confirm(mail_server.client, older),
            request(person, "email", new_email=f"newer{round_number}@example.com"),
        )
        assert requested.status_code == 200, requested.text
        assert confirmed.status_code in (200, 422), confirmed.text
        live = await OneTimeToken.filter(
            user_id=person.id, purpose__in=steps, used_at=None, superseded_at=None
        ).values_list("purpose", flat=True)
        assert live == [Purpose.CONFIRM_EMAIL_OLD], f"round {round_number}: {live}"
        # let the newer request's email arrive before the next round counts emails
        await smtp_server.inbox.wait_for(person.email, EMAIL_OLD_SUBJECT, count=2 * round_number + 2)


async def test_a_newer_email_change_voids_every_pending_link_of_the_older_one(mail_server, smtp_server):
    # a request taken to its second step (a link waits at the new address), then a
    # request left at its first step, then the one the owner means
    person = await signed_in_user(mail_server)
    first_new = await link_to_new_address(mail_server, smtp_server, person, "first@example.com")
    await request(person, "email", new_email="second@example.com")
    second_old = token_in(await smtp_server.inbox.wait_for(person.email, EMAIL_OLD_SUBJECT, count=2))
    await request(person, "email", new_email="third@example.com")
    third_old = token_in(await smtp_server.inbox.wait_for(person.email, EMAIL_OLD_SUBJECT, count=3))

    assert_problem(await confirm(mail_server.client, first_new), 422, "INVALID_TOKEN")
    assert_problem(await confirm(mail_server.client, second_old), 422, "INVALID_TOKEN")
    assert (await User.get(id=person.id)).email == person.email

    assert (await confirm(mail_server.client, third_old)).status_code == 200
    third_new = token_in(await smtp_server.inbox.wait_for("third@example.com", EMAIL_NEW_SUBJECT))
    completed = await confirm(mail_server.client, third_new)
    assert completed.json()["user"]["email"] == "third@example.com"
    assert smtp_server.inbox.to("second@example.com") == []
