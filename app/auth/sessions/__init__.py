"""Server-side sessions: the store, its caches, revocation across processes, device fields."""

from app.auth.sessions.devices import device_of
from app.auth.sessions.store import SessionStore

__all__ = ["SessionStore", "device_of"]
