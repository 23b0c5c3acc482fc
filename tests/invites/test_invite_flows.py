"""SPEC §5 invites end to end: the invite email goes through the outbox, the broker and a
worker to aiosmtpd, and its link is followed as the invited person would."""

from __future__ import annotations

import asyncio

import httpx

from app.auth.one_time_tokens import Purpose
from models import AuditEvent, OneTimeToken, OrganizationUser, User
from models.organizations import MembershipStatus
from tests.conftest import TRUSTED_ORIGIN
from tests.factories import PASSWORD, sign_up, signed_in_user
from tests.invites.support import (
    INVITE_SUBJECT,
    accept,
    invite,
    invites_path,
    move_time_on,
    organization_run_by,
    verified_user,
)
from tests.mail import text_of, token_in
from tests.problems import assert_problem


async def test_an_invite_emails_a_link_whose_token_makes_the_invited_user_a_member(mail_server, smtp_server):
    inviter, organization = await organization_run_by(mail_server, name="Acme Coaching")
    invitee = await verified_user(mail_server)

    response = await inviter.client.post(
        invites_path(organization),
        json={"email": invitee.email.upper(), "role": "Coach", "callback_url": f"{TRUSTED_ORIGIN}/join"},
    )

    assert response.status_code == 201, response.text
    created = response.json()["data"]
    assert "token" not in response.text and "token_hash" not in response.text
    assert (created["email"], created["role"], created["status"]) == (invitee.email, "Coach", "pending")
    assert response.headers["location"] == f"{invites_path(organization)}/{created['id']}"
    assert (await inviter.client.get(response.headers["location"])).json()["data"] == created
    message = await smtp_server.inbox.wait_for(invitee.email, INVITE_SUBJECT)
    assert "Acme Coaching" in message["Subject"]
    assert f"{TRUSTED_ORIGIN}/join?token=" in text_of(message)
    assert (await invitee.client.get("/api/v1/me")).json()["data"]["current_organization_id"] is None

    accepted = await accept(invitee.client, token_in(message))

    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["data"] == {
        "organization_id": str(organization.id),
        "organization_name": "Acme Coaching",
        "role_in_organization": "Coach",
        "current_organization_id": str(organization.id),
    }
    membership = await OrganizationUser.get(organization_id=organization.id, user_id=invitee.id)
    assert (membership.role_in_organization, membership.status) == ("Coach", MembershipStatus.ACTIVE)
    # the cached session snapshot was refreshed: /me and org-scoped routes see it at once
    assert (await invitee.client.get("/api/v1/me")).json()["data"]["current_organization_id"] == str(
        organization.id
    )
    assert (await invitee.client.get("/api/v1/organizations/current")).status_code == 200
    listed = (await inviter.client.get(invites_path(organization))).json()["data"]
    assert [(i["id"], i["status"], i["accepted_by_id"]) for i in listed] == [
        (created["id"], "accepted", invitee.id)
    ]
    actions = {
        (event.action, event.actor_id and str(event.actor_id))
        for event in await AuditEvent.filter(organization_id=organization.id)
    }
    assert actions == {
        ("invite.created", inviter.id),
        ("invite.accepted", invitee.id),
        ("member.joined", invitee.id),
    }


async def test_without_callback_url_the_link_leads_to_the_web_apps_accept_page(mail_server, smtp_server):
    inviter, organization = await organization_run_by(mail_server)

    await invite(inviter, organization, "newcomer@example.com")

    message = await smtp_server.inbox.wait_for("newcomer@example.com", INVITE_SUBJECT)
    app_url = mail_server.state.settings.accounts.app_url
    assert f"{app_url}/accept-invite?token=" in text_of(message)


async def test_signing_up_with_the_invite_token_gives_a_verified_member_and_no_verification_email(
    mail_server, smtp_server
):
    inviter, organization = await organization_run_by(mail_server)
    await invite(inviter, organization, "newcomer@example.com", role="Manager")
    token = token_in(await smtp_server.inbox.wait_for("newcomer@example.com", INVITE_SUBJECT))

    user = await sign_up(mail_server.client, email="Newcomer@Example.com", invite_token=token)

    assert user["email_verified"] is True
    assert user["current_organization_id"] == str(organization.id)
    membership = await OrganizationUser.get(organization_id=organization.id, user_id=user["id"])
    assert membership.role_in_organization == "Manager"
    listed = (await inviter.client.get(invites_path(organization))).json()["data"]
    assert listed[0]["status"] == "accepted"
    assert_problem(await accept(inviter.client, token), 403, "FORBIDDEN")  # spent, and not theirs
    # no verification token was issued, so no verification email exists (each is staged
    # with its token, in one transaction: app.auth.one_time_tokens.email_token)
    assert not await OneTimeToken.filter(user_id=user["id"], purpose=Purpose.VERIFY_EMAIL).exists()
    signed_in = await mail_server.client.post(
        "/api/v1/auth/sign-in", json={"email": user["email"], "password": PASSWORD}
    )
    assert signed_in.json()["data"]["user"]["email_verified"] is True


async def test_signing_up_with_an_invite_sent_to_another_address_is_refused_and_creates_nothing(
    mail_server, smtp_server
):
    inviter, organization = await organization_run_by(mail_server)
    await invite(inviter, organization, "victim@example.com", role="OrganizationAdmin")
    token = token_in(await smtp_server.inbox.wait_for("victim@example.com", INVITE_SUBJECT))

    response = await mail_server.client.post(
        "/api/v1/auth/sign-up",
        json={
            "name": "Mallory",
            "nickname": "mallory",
            "email": "mallory@example.com",
            "password": PASSWORD,
            "invite_token": token,
        },
    )

    assert_problem(response, 403, "FORBIDDEN")
    assert not await User.filter(email="mallory@example.com").exists()
    listed = (await inviter.client.get(invites_path(organization))).json()["data"]
    assert listed[0]["status"] == "pending"
    # the invite still works for its address
    assert (await sign_up(mail_server.client, email="victim@example.com", invite_token=token))[
        "email_verified"
    ]


async def test_accepting_an_invite_sent_to_another_address_is_refused_and_changes_nothing(
    mail_server, smtp_server
):
    inviter, organization = await organization_run_by(mail_server)
    await invite(inviter, organization, "victim@example.com")
    token = token_in(await smtp_server.inbox.wait_for("victim@example.com", INVITE_SUBJECT))
    mallory = await verified_user(mail_server)

    response = await accept(mallory.client, token)

    body = assert_problem(response, 403, "FORBIDDEN")
    assert "another email address" in body["detail"]
    assert not await OrganizationUser.filter(organization_id=organization.id, user_id=mallory.id).exists()
    assert (await inviter.client.get(invites_path(organization))).json()["data"][0]["status"] == "pending"
    assert await AuditEvent.filter(action="invite.accepted").count() == 0


async def test_accepting_with_an_unverified_address_is_refused_until_it_is_verified(mail_server, smtp_server):
    inviter, organization = await organization_run_by(mail_server)
    invitee = await signed_in_user(mail_server)
    await invite(inviter, organization, invitee.email)
    token = token_in(await smtp_server.inbox.wait_for(invitee.email, INVITE_SUBJECT))

    body = assert_problem(await accept(invitee.client, token), 403, "FORBIDDEN")
    assert "Verify your email" in body["detail"]
    assert not await OrganizationUser.filter(organization_id=organization.id, user_id=invitee.id).exists()

    verification = token_in(await smtp_server.inbox.wait_for(invitee.email, "confirm your email"))
    assert (
        await mail_server.client.post("/api/v1/auth/verify-email", json={"token": verification})
    ).is_success
    assert (await accept(invitee.client, token)).status_code == 200


async def test_an_invite_is_single_use_and_accepting_it_again_is_409(mail_server, smtp_server):
    inviter, organization = await organization_run_by(mail_server)
    invitee = await verified_user(mail_server)
    await invite(inviter, organization, invitee.email)
    token = token_in(await smtp_server.inbox.wait_for(invitee.email, INVITE_SUBJECT))
    assert (await accept(invitee.client, token)).status_code == 200

    assert_problem(await accept(invitee.client, token), 409, "CONFLICT")
    # nor can it create an account
    response = await mail_server.client.post(
        "/api/v1/auth/sign-up",
        json={
            "name": "Twin",
            "nickname": "twin",
            "email": "twin@example.com",
            "password": PASSWORD,
            "invite_token": token,
        },
    )
    assert_problem(response, 422, "INVALID_TOKEN")
    assert await OrganizationUser.filter(organization_id=organization.id).count() == 2


async def test_two_concurrent_accepts_make_one_member_and_answer_one_409(mail_server, smtp_server):
    inviter, organization = await organization_run_by(mail_server)
    invitee = await verified_user(mail_server)
    await invite(inviter, organization, invitee.email)
    token = token_in(await smtp_server.inbox.wait_for(invitee.email, INVITE_SUBJECT))
    second = httpx.AsyncClient(base_url=mail_server.url, headers=dict(invitee.client.headers), timeout=10)
    second.cookies = invitee.client.cookies

    responses = await asyncio.gather(accept(invitee.client, token), accept(second, token))

    assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
    assert await OrganizationUser.filter(organization_id=organization.id, user_id=invitee.id).count() == 1
    assert await AuditEvent.filter(action="member.joined").count() == 1


async def test_an_expired_invite_is_422_and_listed_as_expired(mail_server, smtp_server):
    inviter, organization = await organization_run_by(mail_server)
    invitee = await verified_user(mail_server)
    await invite(inviter, organization, invitee.email)
    token = token_in(await smtp_server.inbox.wait_for(invitee.email, INVITE_SUBJECT))
    ttl = mail_server.state.settings.organizations.invite_ttl_seconds

    await move_time_on(invitee.email, ttl + 1)

    assert_problem(await accept(invitee.client, token), 422, "INVALID_TOKEN")
    listed = await inviter.client.get(invites_path(organization), params={"status": "expired"})
    assert [i["status"] for i in listed.json()["data"]] == ["expired"]
    pending = await inviter.client.get(invites_path(organization), params={"status": "pending"})
    assert pending.json()["data"] == []
    assert (await invitee.client.get("/api/v1/me/invites")).json()["data"] == []


async def test_reinviting_an_address_replaces_the_pending_invite_and_its_link_stops_working(
    mail_server, smtp_server
):
    inviter, organization = await organization_run_by(mail_server)
    invitee = await verified_user(mail_server)
    first = await invite(inviter, organization, invitee.email, role="Teacher")
    first_token = token_in(await smtp_server.inbox.wait_for(invitee.email, INVITE_SUBJECT))
    await move_time_on(invitee.email, 120)  # past the interval between two invite emails

    second = await invite(inviter, organization, invitee.email, role="Coach")

    second_token = token_in(await smtp_server.inbox.wait_for(invitee.email, INVITE_SUBJECT, count=2))
    statuses = {
        i["id"]: i["status"] for i in (await inviter.client.get(invites_path(organization))).json()["data"]
    }
    assert statuses == {first["id"]: "replaced", second["id"]: "pending"}
    assert_problem(await accept(invitee.client, first_token), 422, "INVALID_TOKEN")
    accepted = await accept(invitee.client, second_token)
    assert accepted.json()["data"]["role_in_organization"] == "Coach"


async def test_a_revoked_invite_is_422_and_cannot_be_revoked_again(mail_server, smtp_server):
    inviter, organization = await organization_run_by(mail_server)
    invitee = await verified_user(mail_server)
    created = await invite(inviter, organization, invitee.email)
    token = token_in(await smtp_server.inbox.wait_for(invitee.email, INVITE_SUBJECT))

    response = await inviter.client.delete(f"{invites_path(organization)}/{created['id']}")

    assert response.status_code == 200, response.text
    assert response.json()["data"]["status"] == "revoked"
    assert_problem(await accept(invitee.client, token), 422, "INVALID_TOKEN")
    again = await inviter.client.delete(f"{invites_path(organization)}/{created['id']}")
    assert_problem(again, 422, "UNPROCESSABLE")
    assert await AuditEvent.filter(action="invite.revoked", target_id=created["id"]).count() == 1


async def test_resending_gives_a_new_link_and_the_old_one_stops_working(mail_server, smtp_server):
    inviter, organization = await organization_run_by(mail_server)
    invitee = await verified_user(mail_server)
    created = await invite(inviter, organization, invitee.email)
    old_token = token_in(await smtp_server.inbox.wait_for(invitee.email, INVITE_SUBJECT))
    resend = f"{invites_path(organization)}/{created['id']}/resend"
    too_soon = await inviter.client.post(resend, json={})
    assert_problem(too_soon, 429, "RATE_LIMITED")
    assert 1 <= int(too_soon.headers["retry-after"]) <= 60
    await move_time_on(invitee.email, 120)

    response = await inviter.client.post(resend, json={})

    assert response.status_code == 200, response.text
    resent = response.json()["data"]
    assert resent["resent_count"] == 1
    assert resent["expires_at"] > created["expires_at"]
    new_token = token_in(await smtp_server.inbox.wait_for(invitee.email, INVITE_SUBJECT, count=2))
    assert new_token != old_token
    assert_problem(await accept(invitee.client, old_token), 422, "INVALID_TOKEN")
    assert (await accept(invitee.client, new_token)).status_code == 200
    assert await AuditEvent.filter(action="invite.resent", target_id=created["id"]).count() == 1
