"""The code table: bounce code -> hard/soft and description, as data.

The default table (``dsnparse/data/codes.csv``) reproduces the project's seed table row for row
and extends it with every other registered enhanced status code. Lookups fall back from
``C.S.D`` to ``C.S.0``, then to the class (``5`` / ``4``), then to :data:`NO_CODE`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from os import PathLike

from ..errors import CodeTableError

NO_CODE = "9.1.1"
"""The seed's code for a failure that gives nothing to go on."""

_CODE = re.compile(r"[2459](?:\.\d{1,3}\.\d{1,3})?")
_SEED_ROW = re.compile(r"^[ \t]*(\d(?:\.\d{1,3}\.\d{1,3})?)[ \t]*\|[ \t]*(Hard|Soft)[ \t]*\|([^|\n]*)\|?[ \t]*$", re.I)


@dataclass(frozen=True, slots=True)
class CodeRow:
    """One row of the code table."""

    code: str
    bounce_type: str
    """``hard`` or ``soft`` (lower case)."""
    description: str
    origin: str = ""
    """Where the row comes from: ``seed``, ``iana``, ``rfc3463-class``, ``user``..."""


class CodeTable:
    """An immutable mapping of bounce codes to :class:`CodeRow`, with fallback lookups."""

    __slots__ = ("_rows",)

    def __init__(self, rows: Iterable[CodeRow]):
        self._rows: dict[str, CodeRow] = {}
        for row in rows:
            self._rows[row.code] = row

    @classmethod
    def default(cls) -> CodeTable:
        """The packaged default table (loaded once, shared: it is immutable)."""
        return _default_table()

    @classmethod
    def from_text(cls, text: str, *, base: CodeTable | None = None, origin: str = "user") -> CodeTable:
        """Rows from CSV text (``code,bounce_type,description``; a header row is optional) or
        from the seed's ``code | Hard | description |`` layout. Rows override ``base``."""
        rows = list(base.rows.values()) if base is not None else []
        rows.extend(_read_rows(text, origin))
        return cls(rows)

    @classmethod
    def from_file(
        cls, path: str | PathLike[str], *, replace: bool = False, encoding: str = "utf-8"
    ) -> CodeTable:
        """A user table from a file. By default its rows override the default table's; with
        ``replace=True`` the file is the whole table."""
        with open(path, encoding=encoding) as fh:
            text = fh.read()
        return cls.from_text(text, base=None if replace else cls.default())

    @property
    def rows(self) -> Mapping[str, CodeRow]:
        """Every row by code."""
        return dict(self._rows)

    def __contains__(self, code: object) -> bool:
        return code in self._rows

    def __len__(self) -> int:
        return len(self._rows)

    def lookup(self, code: str | None) -> CodeRow | None:
        """The row for ``code``, falling back to ``C.S.0``, the class, then :data:`NO_CODE`."""
        if code:
            row = self._rows.get(code)
            if row is not None:
                return row
            parts = code.split(".")
            if len(parts) == 3:
                row = self._rows.get(f"{parts[0]}.{parts[1]}.0") or self._rows.get(parts[0])
                if row is not None:
                    return row
        return self._rows.get(NO_CODE)


def _read_rows(text: str, origin: str) -> list[CodeRow]:
    """The rows of a code table in either format: the ``code|type|description`` seed list or CSV."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if any(_SEED_ROW.match(ln) for ln in lines[:5]) or (lines and "|" in lines[0] and "," not in lines[0]):
        return _seed_rows(lines, origin)
    return _csv_rows(text, origin)


def _seed_rows(lines: list[str], origin: str) -> list[CodeRow]:
    """Rows of the seed format (``5.1.1 | Hard | Bad destination mailbox address``)."""
    matches = (_SEED_ROW.match(ln) for ln in lines)
    return [CodeRow(m.group(1), m.group(2).lower(), m.group(3).strip(), origin) for m in matches if m]


def _csv_rows(text: str, origin: str) -> list[CodeRow]:
    """Rows of the CSV format (``code,bounce_type,description[,origin]``; a header, blank and
    ``#`` lines skipped); a malformed row raises :class:`CodeTableError` naming its line."""
    out: list[CodeRow] = []
    for n, rec in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not rec or not "".join(rec).strip() or rec[0].strip().startswith("#"):
            continue
        if n == 1 and rec[0].strip().lower() == "code":
            continue
        out.append(_csv_row(n, rec, origin))
    return out


def _csv_row(n: int, rec: list[str], origin: str) -> CodeRow:
    if len(rec) < 3:
        raise CodeTableError(f"line {n}: expected code,bounce_type,description, got {rec!r}")
    code, kind, desc = rec[0].strip(), rec[1].strip().lower(), rec[2].strip()
    if not _CODE.fullmatch(code):
        raise CodeTableError(f"line {n}: {code!r} is not a status code (C.S.D or a class digit)")
    if kind not in ("hard", "soft"):
        raise CodeTableError(f"line {n}: bounce type must be Hard or Soft, got {rec[1]!r}")
    return CodeRow(code, kind, desc, rec[3].strip() if len(rec) > 3 and rec[3].strip() else origin)


@lru_cache(maxsize=1)
def _default_table() -> CodeTable:
    text = resources.files("dsnparse").joinpath("data/codes.csv").read_text(encoding="utf-8")
    return CodeTable.from_text(text, origin="default")
