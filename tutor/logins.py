"""Login names a student can guess from their own name: "Zoë Brontë" -> "zoe.bronte".

Accents are folded to ASCII (NFKD, combining marks dropped, a few letters that do not
decompose spelled out), everything else that is not a letter or digit becomes a dot, and the
result is capped at `MAX_LOGIN_CHARS` on a word boundary where one is near. A name with no
Latin letters at all ("李明") gets a numbered fallback ("student.1") instead of failing the
whole batch; the teacher sees the login beside the name, so nothing is guessed wrong silently.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

MAX_LOGIN_CHARS = 24
FALLBACK_PREFIX = "student"
# Letters that NFKD leaves alone but a reader spells with plain ASCII.
_SPELLED = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ł": "l",
        "ı": "i",
        "ħ": "h",
        "ŋ": "n",
    }
)
_NOT_LOGIN = re.compile(r"[^a-z0-9]+")


def fold(name: str) -> str:
    """The readable ASCII login of a name; "" when nothing Latin is left."""
    lowered = unicodedata.normalize("NFKC", name).casefold().translate(_SPELLED)
    decomposed = unicodedata.normalize("NFKD", lowered)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c) and c.isascii())
    login = _NOT_LOGIN.sub(".", ascii_only).strip(".")
    return _cap(login)


def _cap(login: str) -> str:
    if len(login) <= MAX_LOGIN_CHARS:
        return login
    cut = login[:MAX_LOGIN_CHARS]
    boundary = cut.rfind(".")
    if boundary >= MAX_LOGIN_CHARS // 2:  # keep whole words when that loses little
        cut = cut[:boundary]
    return cut.strip(".")


def logins_for(names: Sequence[str], taken: Iterable[str] = ()) -> list[str]:
    """One distinct login per name, none of them in `taken` (the class's existing logins).

    A repeated login gets ".2", ".3", ... ("ada", "ada.2"); a name with nothing to fold gets
    "student.N" with the first free N.
    """
    used = set(taken)
    result = []
    for name in names:
        base = fold(name)
        if not base:
            base = FALLBACK_PREFIX
            candidate, n = f"{base}.1", 1
        else:
            candidate, n = base, 1
        while candidate in used:
            n += 1
            suffix = f".{n}"
            candidate = f"{base[: MAX_LOGIN_CHARS - len(suffix)].strip('.')}{suffix}"
        used.add(candidate)
        result.append(candidate)
    return result
