"""What a committed change means for cached sessions, as effects of a unit of work.

The database part of a revocation (marking sessions revoked) runs in the unit's
transaction; dropping the cached snapshots (this process's, Redis's, every other
process's through pub/sub) runs once it commits. Before the commit, a concurrent lookup
could read the old rows again and cache them anew; after a rollback there is nothing to
drop.
"""

from __future__ import annotations

from uuid import UUID

from app.auth.sessions import SessionStore
from app.core.session_effects import EVICT_SESSIONS, REFRESH_USERS
from app.core.unit_of_work import UnitOfWork, UnitsOfWork


def handle_session_effects(units: UnitsOfWork, sessions: SessionStore) -> None:
    """The app's session store answers its units of work's session effects."""
    units.handle(EVICT_SESSIONS, sessions.evict)
    units.handle(REFRESH_USERS, sessions.refresh_users)


async def revoke_all(
    work: UnitOfWork, sessions: SessionStore, user_id: UUID, *, except_session_id: UUID | None = None
) -> int:
    """End every live session of the user (but one, if named) with `work`; returns how many."""
    token_hashes = await sessions.mark_all_revoked(user_id, except_session_id=except_session_id)
    work.add(EVICT_SESSIONS, *token_hashes)
    return len(token_hashes)


async def revoke_session(work: UnitOfWork, sessions: SessionStore, session_id: UUID) -> None:
    """End one session by id with `work`."""
    token_hash = await sessions.mark_session_revoked(session_id)
    if token_hash is not None:
        work.add(EVICT_SESSIONS, token_hash)
