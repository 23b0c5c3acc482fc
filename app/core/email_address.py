"""One spelling per email address, for storage, uniqueness, lockout and rate limits.

`canonical` is the spelling the users table holds: what `EmailAddress`
(app.core.schemas) stores is `canonical` of what the client sent, so a rate limit or
lockout keyed on `canonical` of a raw body names exactly the account the route will
act on. It is the same function in both places, on purpose (issue 9 item 1.7):

- case-blind and Unicode NFC ("Ann@Example.com", a decomposed "é");
- the domain as email-validator normalises it (IDNA/UTS #46): fullwidth letters
  ("ｅｘａｍｐｌｅ"), the ideographic full stop ("example。com") and punycode
  ("xn--…") all become one spelling;
- "Name <ann@example.com>" names ann@example.com, as pydantic's EmailStr reads it.

An address that is not valid still gets one loose spelling (NFKC, case folded,
ideographic full stops as dots), so malformed variants of one address share a
key instead of escaping the limit with a fresh one each.
"""

from __future__ import annotations

import hashlib
import unicodedata

from pydantic.networks import validate_email

# UTS #46 maps these to "." in domains; NFKC already maps the fullwidth "．" and the
# halfwidth "｡" (to "。")
IDEOGRAPHIC_FULL_STOP = "\u3002"


def canonical(address: str) -> str:
    folded = unicodedata.normalize("NFC", address.strip().lower())
    valid = _validated(folded)
    if valid is not None:
        return valid
    # not valid as sent; its loose spelling may be ("ann＠example.com"), and is then
    # the account the route acts on: EmailAddress validates what this returns
    spelled = loose(folded)
    return _validated(spelled) or spelled


def _validated(address: str) -> str | None:
    """EmailStr's own validation (pydantic), so the stored spelling cannot drift from ours."""
    try:
        return validate_email(address)[1]
    except ValueError:  # PydanticCustomError is one
        return None


def loose(address: str) -> str:
    """A best-effort single spelling of a string that is not a valid address."""
    return unicodedata.normalize("NFKC", address).casefold().replace(IDEOGRAPHIC_FULL_STOP, ".")


def digest(address: str) -> str:
    """SHA-256 of the canonical address: a key that does not store the address itself."""
    # surrogatepass: a string that never was UTF-8 still has a key, not an exception
    return hashlib.sha256(canonical(address).encode(errors="surrogatepass")).hexdigest()
