"""Our tokens (session, refresh, emailed): 32 random bytes, stored only as SHA-256; a
session token is sent signed in the cookie."""

from __future__ import annotations

import hashlib
import secrets

from itsdangerous import BadSignature, Signer

TOKEN_BYTES = 32
# what a client may send as one of our tokens (session, refresh, emailed): token_urlsafe(32)
# is 43 characters of this alphabet; anything else is malformed (400) rather than unknown
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{43}$"
_COOKIE_SALT = "tandem.session-cookie"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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
