"""Text that reaches other people: display names, and user values shown in emails.

A name is read by others (in emails, member lists, notices). A line break in it can
forge a line of an email (a fake link, a fake "From our security team"), and a
bidirectional override (U+202E) can make `moc.evil` read as `live.com`. So display
names refuse control characters, line breaks and bidi controls at the door
(`DisplayName`), and emails reduce every value to one line whatever the database
holds (`one_line`: rows from before the rule, values no schema checked).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, Field

# explicit direction marks, embeddings, overrides and isolates (Unicode UAX #9);
# joiners (U+200C/U+200D) stay allowed: emoji and several scripts need them
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# Cc: C0 and C1 controls (\t \n \r, NUL, DEL, U+0085 ...); Zl/Zp: U+2028, U+2029;
# Cs: lone surrogates, which no database column can store; Cf: invisible format
# characters (zero-width space U+200B, word joiner U+2060, BOM, soft hyphen, tag
# characters) that make look-alike names or hide text; Co/Cn: private and unassigned
_REFUSED_CATEGORIES = frozenset({"Cc", "Zl", "Zp", "Cs", "Cf", "Co", "Cn"})
# format characters that real names need: the joiners (emoji sequences, Indic and
# Arabic scripts)
_ALLOWED_FORMAT = frozenset("\u200c\u200d")
_BIDI_PATTERN = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")
_BREAKING = re.compile(r"[\x00-\x1f\x7f-\x9f\s\u2028\u2029]+")
NAME_RULE = "must not contain control, line-break, invisible or bidirectional-override characters"


def unsafe_character(value: str) -> str | None:
    """The first character a display name may not hold, or None."""
    for char in value:
        if char in BIDI_CONTROLS:
            return char
        if char not in _ALLOWED_FORMAT and unicodedata.category(char) in _REFUSED_CATEGORIES:
            return char
    return None


def _plain_name(value: str) -> str:
    if unsafe_character(value) is not None:
        raise ValueError(NAME_RULE)
    if not value.strip():
        raise ValueError("must not be blank")
    return value


DisplayName = Annotated[
    str,
    Field(min_length=1, max_length=120, description=f"A name others see; {NAME_RULE}"),
    AfterValidator(_plain_name),
]


def one_line(value: str) -> str:
    """`value` as one line of plain text: bidi controls dropped, every run of control
    characters, line breaks and other whitespace turned into one space."""
    return _BREAKING.sub(" ", _BIDI_PATTERN.sub("", value)).strip()


# full stops a linkifier or a browser may read as the dot of a domain (UTS #46 maps the
# ideographic, fullwidth and halfwidth ones to "."), and colons that may end a scheme
_LINK_DOTS = re.compile(r"[.\u3002\uff0e\uff61](?=\S)")
_LINK_COLONS = re.compile(r"[:\uff1a](?=\S)")
# look like "." and ":" to a reader, but no linkifier takes them for part of a URL
ONE_DOT_LEADER = "\u2024"
MODIFIER_LETTER_COLON = "\ua789"


def unlinkable(value: str) -> str:
    """`value` (one line) so that no mail client turns part of it into a link.

    A name one person chose and another reads in an email from us ("Acme — sign in at
    evil.example/login", "https://evil.example") would otherwise arrive as a link that
    seems to be ours: every dot or colon followed by more text becomes a look-alike
    character that no linkifier reads as part of a URL. "Acme Inc." and "Team: Sales"
    read as before.
    """
    value = _LINK_DOTS.sub(ONE_DOT_LEADER, one_line(value))
    return _LINK_COLONS.sub(MODIFIER_LETTER_COLON, value)
