"""No participant in two sessions at once (SPEC §6): the slots and the 409.

Each scheduled session holds one CoachingSessionSlot per participant, written in the
transaction that books (or moves) it; a slot is per user, whatever the organization, so a
coach busy in one organization is busy in all. Times are half-open, [starts_at, ends_at):
a session ending at 10:00 and one starting at 10:00 do not overlap.

Who decides a race:
- PostgreSQL: a booking first takes a transaction-scoped advisory lock per participant
  (`take_turns`, in one global order), so two bookings of one person run one after the
  other and the second's pre-check sees the first's commit. Without it, two inserts of
  conflicting slots at the same instant each find the other's uncommitted row and wait
  for it: PostgreSQL answers one of them `deadlock detected`, not the exclusion
  violation (its execIndexing.c says so; a 500 here). The exclusion constraint
  `coaching_session_slots_no_overlap` (gist, one user's ranges may not intersect) stays
  the guarantee: a violation is still answered 409.
- SQLite: Tortoise runs one transaction at a time on its one connection (its client holds
  a lock from BEGIN to COMMIT), so the check and the insert are one serialized write.
  The embedded default is one process; several processes on one SQLite file are not a
  supported deployment.

The pre-check (the same query, inside the transaction) is what names the conflicting
session. The name is given only when the caller may see that session: a conflict with a
session of another organization, or one the caller may not read, says only who is busy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from uuid import UUID

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from app.coaching.participation import may_see_session
from app.coaching.sessions.scheduling import Slot
from app.core import errors
from app.core.policy import Actor
from app.core.scoping import scoped
from app.core.unit_of_work import CONNECTION
from models import CoachingSession, CoachingSessionSlot

EXCLUSION_CONSTRAINT = "coaching_session_slots_no_overlap"
# pg_advisory_xact_lock(class, key): the class names "a person's booking time" apart from
# any other advisory lock; the key is 32 bits of the user's id (two people sharing one
# only wait for each other more often)
TURN_LOCK_CLASS = 0x534C4F54  # "SLOT"


class Busy(errors.Conflict):
    code, title = "SESSION_OVERLAP", "The time overlaps another session"


async def first_conflict(
    user_ids: Iterable[UUID], slots: Sequence[Slot], *, ignoring: Iterable[UUID] = ()
) -> CoachingSessionSlot | None:
    """The earliest slot of these users overlapping any of `slots` (the sessions in
    `ignoring` aside: those being moved), in one query."""
    overlapping = Q(
        *(Q(starts_at__lt=slot.ends_at, ends_at__gt=slot.starts_at) for slot in slots), join_type=Q.OR
    )
    query = CoachingSessionSlot.filter(overlapping, user_id__in=list(dict.fromkeys(user_ids)))
    ignored = list(ignoring)
    if ignored:
        query = query.exclude(session_id__in=ignored)
    return await query.order_by("starts_at").first()


def turn_key(user_id: UUID) -> int:
    return int.from_bytes(user_id.bytes[:4], "big", signed=True)


async def take_turns(user_ids: Iterable[UUID]) -> None:
    """PostgreSQL: wait until no other booking of these people is under way, until this
    transaction ends. The locks are taken one statement per person, in key order (the
    order of a select list's calls is not one PostgreSQL promises), so two bookings
    sharing people never wait for each other in a cycle. SQLite writes one transaction at
    a time already."""
    client = connections.get(CONNECTION)
    if client.capabilities.dialect != "postgres":
        return
    for key in sorted({turn_key(user_id) for user_id in user_ids}):
        await client.execute_query(f"SELECT pg_advisory_xact_lock({TURN_LOCK_CLASS}, $1)", [key])


async def hold(sessions: Sequence[CoachingSession]) -> None:
    """The sessions' slots, one per participant, in one insert ordered by user and time:
    two bookings touching the same people take their rows in the same order (no deadlock)."""
    slots = sorted(
        (
            CoachingSessionSlot(
                session_id=session.id, user_id=user, starts_at=session.starts_at, ends_at=session.ends_at
            )
            for session in sessions
            for user in {session.coach_id, session.teacher_id}
        ),
        key=lambda slot: (str(slot.user_id), slot.starts_at),
    )
    await CoachingSessionSlot.bulk_create(slots)


async def release(session_ids: Iterable[UUID]) -> None:
    await CoachingSessionSlot.filter(session_id__in=list(session_ids)).delete()


def is_overlap(error: IntegrityError) -> bool:
    return EXCLUSION_CONSTRAINT in str(error)


async def busy(
    actor: Actor,
    organization_id: UUID,
    conflict: CoachingSessionSlot | None,
    *,
    coach_id: UUID,
) -> Busy:
    """The 409 for a conflict: naming the session when the caller may see it, else only
    whether the coach or the teacher is busy then."""
    if conflict is None:
        # lost a race whose winner has since moved or been cancelled: nothing to name
        return Busy("The time overlaps another session", extra={"conflicting_session_id": None})
    who = "coach" if conflict.user_id == coach_id else "teacher"
    other = await scoped(CoachingSession, organization_id).filter(id=conflict.session_id).first()
    if other is None or not may_see_session(actor, other):
        return Busy(f"The {who} is busy at that time", extra={"conflicting_session_id": None})
    return Busy(
        f"The {who} already has coaching session {other.id} from "
        f"{_z(other.starts_at)} to {_z(other.ends_at)}",
        extra={"conflicting_session_id": str(other.id)},
    )


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
