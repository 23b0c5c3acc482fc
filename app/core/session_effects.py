"""The session effects any capability may add to a unit of work (app.core.unit_of_work).

The app's session store answers them (app.auth.session_effects registers it); they live
here so that capabilities below auth (invites) can ask for them too.
"""

from __future__ import annotations

from uuid import UUID

from app.core.unit_of_work import EffectKind, UnitOfWork

EVICT_SESSIONS: EffectKind[str] = EffectKind("evict sessions' snapshots")  # items: token hashes
REFRESH_USERS: EffectKind[UUID] = EffectKind("refresh users' session snapshots")  # items: user ids


def refresh_user(work: UnitOfWork, *user_ids: UUID) -> None:
    """The users changed (profile, role, MFA, current organization, memberships): once `work`
    commits, their sessions' snapshots are dropped everywhere and the next request reads
    the database."""
    work.add(REFRESH_USERS, *user_ids)
