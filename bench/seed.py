"""Rows for the list benchmarks, written straight into PostgreSQL (psql, generate_series):
an organization of `members` members with `audit_rows` audit events, and a small one with
a tenth of each, both administered by the bench user."""

from __future__ import annotations

import subprocess
import uuid


def psql(url: str, sql: str) -> str:
    done = subprocess.run(
        ["psql", url, "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench: psql failed: {done.stderr}")
    return done.stdout.strip()


def organization(url: str, *, admin_email: str, name: str, members: int, audit_rows: int) -> str:
    """A new organization with `members` members (plus the admin) and `audit_rows` events;
    returns its id."""
    org = str(uuid.uuid4())
    slug = name.lower().replace(" ", "-")
    psql(
        url,
        f"""
        INSERT INTO organizations (id, created_at, updated_at, name, slug, plan, billing_status)
            VALUES ('{org}', now(), now(), '{name}', '{slug}', 'free', 'none');
        INSERT INTO organization_users (id, created_at, updated_at, organization_id, user_id,
                                        role_in_organization, status)
            SELECT gen_random_uuid(), now(), now(), '{org}', id, 'OrganizationAdmin', 'active'
            FROM users WHERE email = '{admin_email}';
        INSERT INTO users (id, created_at, updated_at, name, nickname, email, password_hash,
                           mfa_enabled, timezone, locale, preferences, disabled)
            SELECT gen_random_uuid(), now() - (i || ' seconds')::interval, now(),
                   'Member ' || i, '{slug}-' || i, '{slug}-' || i || '@example.com', 'x',
                   false, 'UTC', 'en', '{{}}', false
            FROM generate_series(1, {members}) AS i;
        INSERT INTO organization_users (id, created_at, updated_at, organization_id, user_id,
                                        role_in_organization, status)
            SELECT gen_random_uuid(), u.created_at, now(), '{org}', u.id,
                   CASE WHEN random() < 0.5 THEN 'Coach' ELSE 'Teacher' END, 'active'
            FROM users AS u WHERE u.nickname LIKE '{slug}-%';
        INSERT INTO audit_events (id, created_at, actor_id, organization_id, action, target_type,
                                  target_id, request_id, client_ip, changed_fields)
            SELECT gen_random_uuid(), now() - (i || ' seconds')::interval, gen_random_uuid(),
                   '{org}', 'member.role_changed', 'user', gen_random_uuid()::text,
                   'bench-' || i, '127.0.0.1', '["role_in_organization"]'
            FROM generate_series(1, {audit_rows}) AS i;
        """,
    )
    return org


def analyze(url: str) -> None:
    psql(url, "VACUUM ANALYZE")
