"""Server-side sessions: the store, its caches, revocation across processes, device fields."""

from app.auth.sessions.store import SessionStore, device_of

__all__ = ["SessionStore", "device_of"]
