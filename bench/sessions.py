"""Rows for the coaching-session benchmarks (issue 12), written straight into PostgreSQL
(psql, generate_series, as bench/seed.py does): a coach with `sessions` sessions over
`teachers` mentorships in one organization, every session holding its two slots, so the
overlap constraint and the lists see what a real program would leave behind.

    org, coach_id = sessions.coaching_program(url, coach_email=..., sessions=10_000)
    # GET /api/v1/sessions?limit=50 as the coach (X-Organization-Id: org)

Sessions are one hour long, one every two hours from `first_start_hours` on, so they never overlap
and a booking benchmark can aim at times before or after them. `created_at` runs one
second apart, newest last, as if the coach had booked them one after another.
"""

from __future__ import annotations

import uuid

from seed import psql  # bench/seed.py, beside this script


def coaching_program(
    url: str,
    *,
    coach_email: str,
    sessions: int,
    teachers: int = 20,
    name: str | None = None,
    admin_email: str | None = None,
    first_start_hours: int = 24,
) -> tuple[str, str]:
    """A new organization where the user `coach_email` (already signed up) is a Coach with
    `teachers` active mentorships and `sessions` scheduled sessions spread over them;
    `admin_email`, if given, is its OrganizationAdmin. The first session starts
    `first_start_hours` from now (a second program of the same coach must start after the
    first one's last session: the slots may not overlap). Returns (organization id, coach id)."""
    org = str(uuid.uuid4())
    name = name or f"Coaching {org[:8]}"
    slug = name.lower().replace(" ", "-")
    psql(
        url,
        f"""
        INSERT INTO organizations (id, created_at, updated_at, name, slug, plan, billing_status)
            VALUES ('{org}', now(), now(), '{name}', '{slug}', 'free', 'none');
        INSERT INTO organization_users (id, created_at, updated_at, organization_id, user_id,
                                        role_in_organization, status)
            SELECT gen_random_uuid(), now(), now(), '{org}', id, 'Coach', 'active'
            FROM users WHERE email = '{coach_email}';
        INSERT INTO organization_users (id, created_at, updated_at, organization_id, user_id,
                                        role_in_organization, status)
            SELECT gen_random_uuid(), now(), now(), '{org}', id, 'OrganizationAdmin', 'active'
            FROM users WHERE email = '{admin_email or ""}';
        INSERT INTO users (id, created_at, updated_at, name, nickname, email, password_hash,
                           mfa_enabled, timezone, locale, preferences, disabled)
            SELECT gen_random_uuid(), now(), now(), 'Coachee ' || i, '{slug}-t' || i,
                   '{slug}-t' || i || '@example.com', 'x', false, 'UTC', 'en', '{{}}', false
            FROM generate_series(1, {teachers}) AS i;
        INSERT INTO organization_users (id, created_at, updated_at, organization_id, user_id,
                                        role_in_organization, status)
            SELECT gen_random_uuid(), now(), now(), '{org}', u.id, 'Teacher', 'active'
            FROM users AS u WHERE u.nickname LIKE '{slug}-t%';
        INSERT INTO mentorships (id, created_at, updated_at, organization_id, coach_id,
                                 teacher_id, status, accepted_at)
            SELECT gen_random_uuid(), now(), now(), '{org}', c.id, u.id, 'active', now()
            FROM users AS u, (SELECT id FROM users WHERE email = '{coach_email}') AS c
            WHERE u.nickname LIKE '{slug}-t%';
        WITH numbered AS (
            SELECT m.id, m.coach_id, m.teacher_id,
                   row_number() OVER (ORDER BY m.id) - 1 AS n, count(*) OVER () AS total
            FROM mentorships AS m WHERE m.organization_id = '{org}'
        )
        INSERT INTO coaching_sessions (id, created_at, updated_at, organization_id, mentorship_id,
                                       coach_id, teacher_id, title, starts_at, ends_at, timezone,
                                       status, sequence)
            SELECT gen_random_uuid(), now() - (({sessions} - i) || ' seconds')::interval, now(),
                   '{org}', m.id, m.coach_id, m.teacher_id, 'Session ' || i,
                   date_trunc('hour', now()) + (({first_start_hours} + 2 * i) || ' hours')::interval,
                   date_trunc('hour', now()) + (({first_start_hours} + 2 * i + 1) || ' hours')::interval,
                   'Europe/Paris', 'scheduled', 0
            FROM generate_series(0, {sessions} - 1) AS i
            JOIN numbered AS m ON m.n = i % m.total;
        INSERT INTO coaching_session_slots (id, created_at, updated_at, session_id, user_id,
                                            starts_at, ends_at)
            SELECT gen_random_uuid(), now(), now(), s.id, p.user_id, s.starts_at, s.ends_at
            FROM coaching_sessions AS s
            CROSS JOIN LATERAL (VALUES (s.coach_id), (s.teacher_id)) AS p(user_id)
            WHERE s.organization_id = '{org}';
        """,
    )
    coach_id = psql(url, f"SELECT id FROM users WHERE email = '{coach_email}'")
    return org, coach_id


def overlapping_pairs(url: str) -> int:
    """Pairs of slots of one person that overlap (the booking benchmark's `double_bookings`:
    must be 0 whatever the concurrency)."""
    return int(
        psql(
            url,
            """
            SELECT count(*) FROM coaching_session_slots AS a
            JOIN coaching_session_slots AS b
              ON a.user_id = b.user_id AND a.id < b.id
             AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
            """,
        )
    )
