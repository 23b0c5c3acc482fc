"""Booking time: a session or a series is written with its slots in one transaction, after
any other booking of the same people (PostgreSQL: per-person advisory locks), and a race
lost to another booking becomes the same 409 as a conflict seen beforehand
(app.coaching.sessions.overlap)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from uuid import UUID

from tortoise.exceptions import IntegrityError

from app.coaching.sessions import overlap
from app.coaching.sessions.scheduling import Slot
from app.core.policy import Actor
from app.core.unit_of_work import UnitOfWork, UnitsOfWork


@asynccontextmanager
async def booking(
    units: UnitsOfWork,
    actor: Actor,
    organization_id: UUID,
    *,
    coach_id: UUID,
    teacher_id: UUID,
    slots: Sequence[Slot],
    moving: Iterable[UUID] = (),
) -> AsyncIterator[UnitOfWork]:
    """A unit of work, after any other booking of the coach or the teacher, in which their
    `slots` were free when it began (409 otherwise) and whose commit fails as a 409 when a racing booking took them
    first (PostgreSQL's exclusion constraint). `moving`: sessions whose own slots do not count."""
    moving = list(moving)
    participants = (coach_id, teacher_id)
    try:
        async with units() as work:
            await overlap.take_turns(participants)
            conflict = await overlap.first_conflict(participants, slots, ignoring=moving)
            if conflict is not None:
                raise await overlap.busy(actor, organization_id, conflict, coach_id=coach_id)
            yield work
    except IntegrityError as error:
        if not overlap.is_overlap(error):
            raise
        # the winner has committed (the constraint waited for it): name it
        conflict = await overlap.first_conflict(participants, slots, ignoring=moving)
        raise await overlap.busy(actor, organization_id, conflict, coach_id=coach_id) from None
