"""The audit log's time filters against odd offsets: the same rows on SQLite and
PostgreSQL whatever the offset a time is written in, and a 400 (never a 500) for a time
that has no UTC form."""

from __future__ import annotations

import pytest

from tests.audit.test_audit_log import ids, recorded
from tests.factories import organization_with, signed_in_user
from tests.problems import assert_problem

pytestmark = pytest.mark.many_sign_ins


def events_path(organization) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/organizations/{organization.id}/audit-events"


async def test_time_filters_with_a_non_utc_offset_select_the_same_rows_as_in_utc(server):
    admin = await signed_in_user(server)
    organization = await organization_with((admin.id, "OrganizationAdmin"))
    event = await recorded(organization_id=organization.id)  # 2026-03-01T12:00Z

    # 11:30Z and 12:30Z, written at other offsets
    since = await admin.client.get(events_path(organization), params={"since": "2026-03-01T13:30:00+02:00"})
    until = await admin.client.get(events_path(organization), params={"until": "2026-03-01T07:30:00-05:00"})
    after = await admin.client.get(events_path(organization), params={"since": "2026-03-01T08:30:00-04:00"})

    assert ids(since) == [str(event.id)]
    assert ids(until) == [str(event.id)]
    assert ids(after) == []  # 12:30Z


@pytest.mark.parametrize("name", ["since", "until"])
@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
async def test_a_time_filter_outside_the_utc_range_is_refused_not_a_crash(server, name, moment):
    admin = await signed_in_user(server)
    organization = await organization_with((admin.id, "OrganizationAdmin"))

    response = await admin.client.get(events_path(organization), params={name: moment})

    body = assert_problem(response, 400, "VALIDATION_ERROR")
    assert body["errors"][0]["field"] == name
