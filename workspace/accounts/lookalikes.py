"""Names and addresses people cannot tell apart: normalised, refused when they hide characters, and
compared by how they look so that an admin sees an account passing for another.

Text is normalised with NFKC (full-width and compatibility forms become the usual letters). Control and
format characters (newlines, zero-width spaces and joiners, bidirectional controls, soft hyphens),
private-use and unassigned code points are refused: they are invisible or reorder what is shown. A word
mixing alphabets with look-alike letters (a Cyrillic «о» among Latin ones) is refused too; a name wholly
in another alphabet is fine, and when it looks like another account's it is shown to the admin.
The look-alike tables are Unicode's confusables, through the confusable-homoglyphs package.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from uuid import UUID

from confusable_homoglyphs import confusables

from workspace.accounts.models import User

REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_WORDS = re.compile(r"[^\s@.\-_+'’]+")


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def has_hidden_characters(text: str) -> bool:
    """Control, format (zero-width, bidi), private-use or unassigned characters, line breaks."""
    return any(unicodedata.category(char) in REFUSED_CATEGORIES for char in text)


def mixes_alphabets(text: str) -> bool:
    """A word whose letters come from several alphabets and include look-alikes."""
    return any(confusables.is_dangerous(word) for word in _WORDS.findall(text))


def has_letter(text: str) -> bool:
    return any(unicodedata.category(char).startswith("L") for char in text)


@lru_cache(maxsize=8192)
def _prototype(char: str) -> str:
    if char.isascii():
        return char
    found = confusables.is_confusable(char, greedy=True, preferred_aliases=["latin"])
    if found:
        for homoglyph in found[0]["homoglyphs"]:
            if homoglyph["c"].isascii():
                return str(homoglyph["c"])
    return char


def skeleton(text: str) -> str:
    """What the text looks like: equal skeletons read the same to a person."""
    folded = " ".join(normalise(text).casefold().split())
    return "".join(_prototype(char) for char in folded if unicodedata.category(char) not in REFUSED_CATEGORIES)


@dataclass(frozen=True)
class Disguise:
    """A character that passes for another: «о» (CYRILLIC SMALL LETTER O) looks like «o»."""

    character: str
    name: str
    looks_like: str


def disguises(text: str) -> list[Disguise]:
    found: dict[str, Disguise] = {}
    for char in normalise(text):
        prototype = _prototype(char.casefold())
        if prototype != char.casefold() and char not in found:
            found[char] = Disguise(char, unicodedata.name(char, "?"), prototype)
    return list(found.values())


@dataclass(frozen=True)
class LookAlike:
    other: User
    field: str
    """`email` or `name`."""


def lookalikes(users: Iterable[User]) -> dict[UUID, list[LookAlike]]:
    """For each account, the other accounts whose address or name looks the same."""
    people = [user for user in users if user.deleted_at is None]
    groups: dict[tuple[str, str], list[User]] = defaultdict(list)
    for user in people:
        groups[("email", skeleton(user.email))].append(user)
        groups[("name", skeleton(user.display_name))].append(user)
    found: dict[UUID, list[LookAlike]] = defaultdict(list)
    for (field, _skeleton), members in groups.items():
        if len(members) < 2:
            continue
        for user in members:
            found[user.id].extend(LookAlike(other, field) for other in members if other.id != user.id)
    return dict(found)
