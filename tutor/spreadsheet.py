"""The one CSV writer for every file a teacher opens in a spreadsheet.

- UTF-8 with a byte-order mark, so Excel shows "Zoë" and not "ZoÃ«";
- formula injection defused: a text cell starting with = + - @ or a tab/CR would run as a
  formula, so it gets a leading apostrophe ("-3" and "+1/2" are answers and stay as typed);
- text columns (PINs, codes) written as ="012345", so a spreadsheet keeps the leading zeros;
- a file name that says what it is ("logins-year-6-2026-12-01.csv"), safe on every system.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date

BOM = "\ufeff"
_SIGNED_NUMBER = re.compile(r"^[+-][\d.,/ ]*$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NOT_FILENAME = re.compile(r"[^a-z0-9]+")

Cell = str | int | float | bool | None


def defuse(value: Cell) -> Cell:
    """A cell that a spreadsheet will show as text, never run as a formula."""
    if not isinstance(value, str) or value[:1] not in _FORMULA_START:
        return value
    if _SIGNED_NUMBER.match(value):  # "-3" is an answer, not a formula
        return value
    return "'" + value


def as_text(value: str) -> str:
    """A digits-only value (a PIN) a spreadsheet must not turn into a number: ="012345"."""
    if value.isdigit():
        return f'="{value}"'
    return str(defuse(value))


def csv_text(
    columns: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    text_columns: Iterable[str] = (),
) -> str:
    """The whole file as text (BOM first), header row then rows, every cell made safe."""
    keep_text = {columns.index(name) for name in text_columns}
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([defuse(c) for c in columns])
    for row in rows:
        writer.writerow(
            [
                as_text(str(cell)) if i in keep_text and cell is not None else defuse(cell)
                for i, cell in enumerate(row)
            ]
        )
    return buffer.getvalue()


def file_name(*parts: str, day: date | None = None, suffix: str = "csv") -> str:
    """A safe, readable file name from its parts and the day: "logins-year-6-2026-12-01.csv"."""
    words = []
    for part in parts:
        folded = unicodedata.normalize("NFKD", part).encode("ascii", "ignore").decode()
        word = _NOT_FILENAME.sub("-", folded.lower()).strip("-")[:40].strip("-")
        if word:
            words.append(word)
    words.append((day or date.today()).isoformat())
    return "-".join(words) + f".{suffix}"
