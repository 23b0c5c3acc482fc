"""Our tokens (session, refresh, emailed): 32 random bytes, stored only as SHA-256
(app.core.tokens); a session token is sent signed in the cookie."""

from __future__ import annotations

import hashlib

from itsdangerous import BadSignature, Signer

from app.core.tokens import TOKEN_BYTES, TOKEN_PATTERN, hash_token, new_token

__all__ = ["TOKEN_BYTES", "TOKEN_PATTERN", "CookieSigner", "hash_token", "new_token"]
_COOKIE_SALT = "tandem.session-cookie"


class CookieSigner:
    """Signs the session token for the cookie (itsdangerous, HMAC-SHA256)."""

    def __init__(self, secret_key: str):
        self._signer = Signer(secret_key, salt=_COOKIE_SALT, digest_method=hashlib.sha256)

    def sign(self, token: str) -> str:
        return self._signer.sign(token).decode()

    def unsign(self, value: str) -> str | None:
        """The token, or None when the value was not signed by us."""
        try:
            return self._signer.unsign(value).decode()
        except (BadSignature, UnicodeError):
            return None
