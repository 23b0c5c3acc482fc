"""`callback_url` (SPEC §2): an emailed link may only lead to a trusted origin, and the
link is one we build.

A check on the raw string is not enough: a URL whose origin is trusted can still carry
a line break or a space, and a plain-text email then shows a second URL of the
sender's choosing with the live token in it. So every `callback_url`

- is refused (400 on `callback_url`) when it holds any control, format or separator
  character (`\\r`, `\\n`, `\\t`, NUL, DEL, C1 controls, bidi overrides, U+2028, U+00A0,
  ...), any other whitespace, or a backslash (browsers read `\\` as `/`);
- must have exactly the scheme, host and port of one trusted origin (default ports
  normalised, hosts compared case-blind in their ASCII IDNA form, no user info): a
  prefix test would let `https://app.example.com.evil.net` through;
- must not carry a `token` query parameter of its own, in its query or in a query
  inside its fragment (the web app would read the sender's token instead of ours);
- becomes a `Callback`, from whose parsed parts the link is rebuilt: the host in ASCII,
  path and fragment percent-encoded down to unreserved characters and `/` (so no
  second URL can be spelled in them), the query re-encoded with the token appended.
  The fragment is kept (hash-routed web apps need it); the token goes in the query
  before it, where `location.search` finds it.

Trusted origins are `Settings.callback_origins`: `security.trusted_origins` plus the
origin of `accounts.app_url`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from pydantic import Field

from app.core import errors
from app.core.origins import Origin, parse_origin

FIELD = "callback_url"
TOKEN_PARAMETER = "token"
CallbackUrl = Annotated[
    str,
    Field(
        min_length=1, max_length=2048, description="Page that receives the token; must be on a trusted origin"
    ),
]
# Only unreserved characters (letters, digits, `_.-~`, always kept by quote) and `/`
# stay as they are in the path; `?`, `=` and `&` also in the fragment (hash routes).
# Everything else is percent-encoded, `:` and sub-delimiters such as `)` and `,`
# included: linkifiers end a URL at `)` and start another at `https:` or at a bare
# `evil.example/...`, so a path like `/x)https://evil.example/steal` would otherwise
# show a second link, with our token appended to it.
_PATH_SAFE = "/%"  # `%`: escapes already there are kept (stray ones become %25)
_FRAGMENT_SAFE = "/?=&%"
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


@dataclass(frozen=True, slots=True)
class Callback:
    """A checked callback URL, in parts; only `link` turns it back into text."""

    origin: Origin
    path: str  # percent-encoded ASCII
    query: tuple[tuple[str, str], ...]  # decoded name/value pairs, in order
    fragment: str  # percent-encoded ASCII, without "#"

    @property
    def url(self) -> str:
        """The callback without a token (what a pending change stores for later)."""
        return self._build(self.query)

    def link(self, token: str) -> str:
        """The URL an email points to: this page, with the token as a query value."""
        return self._build((*self.query, (TOKEN_PARAMETER, token)))

    def _build(self, query: tuple[tuple[str, str], ...]) -> str:
        origin = self.origin
        return urlunsplit((origin.scheme, origin.netloc, self.path, urlencode(query), self.fragment))


def _invalid(message: str) -> errors.ValidationFailed:
    return errors.ValidationFailed.of_field(FIELD, message)


def _refused(char: str) -> bool:
    # categories C* (control, format, surrogate, private, unassigned) and Z* (space,
    # line and paragraph separators) cover \r \n \t NUL DEL, C1, bidi marks, U+2028, U+00A0
    return char == "\\" or char.isspace() or unicodedata.category(char)[0] in "CZ"


def _encoded(text: str, safe: str) -> str:
    """Percent-encode what may not appear as is; escapes already there are kept."""
    return quote(_STRAY_PERCENT.sub("%25", text), safe=safe)


def check_callback_url(url: str, trusted_origins: Iterable[str]) -> Callback:
    """The parsed callback when `url` is acceptable (module docstring); else a 400
    naming the field."""
    if any(_refused(char) for char in url):
        raise _invalid("must not contain whitespace, control characters or backslashes")
    try:
        parts = urlsplit(url)
        origin = parse_origin(url)
    except ValueError:
        raise _invalid("must be an absolute http or https URL without user info") from None
    if origin not in {parse_origin(trusted) for trusted in trusted_origins}:
        raise _invalid("must be on a trusted origin")
    query = tuple(parse_qsl(parts.query, keep_blank_values=True))
    # a hash-routed app reads the query inside the fragment (`#/reset?token=...`) too
    _, _, fragment_query = parts.fragment.partition("?")
    fragment_names = {name for name, _ in parse_qsl(fragment_query, keep_blank_values=True)}
    if any(name == TOKEN_PARAMETER for name, _ in query) or TOKEN_PARAMETER in fragment_names:
        raise _invalid(f"must not have a `{TOKEN_PARAMETER}` query parameter of its own")
    return Callback(
        origin=origin,
        path=_encoded(parts.path, _PATH_SAFE) or "/",
        query=query,
        fragment=_encoded(parts.fragment, _FRAGMENT_SAFE),
    )
