"""Sinks: where records go (JSON Lines, CSV, a terminal table). Text from messages is data:
CSV cells are guarded against spreadsheet formula injection and the table strips control
sequences."""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Mapping
from typing import Any, Protocol, TextIO

from ..record import FIELDS

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""First characters a spreadsheet may read as the start of a formula (full-width forms included)."""
_CONTROL = re.compile(
    r"\x1b\[[0-?]{0,40}[ -/]{0,4}[@-~]"  # CSI: cursor, colour, erase...
    r"|\x1b\][^\x07\x1b]{0,512}(?:\x07|\x1b\\)?"  # OSC: window title, hyperlinks
    r"|\x1b[P^_X][^\x1b]{0,512}(?:\x1b\\)?"  # DCS, PM, APC, SOS strings
    r"|\x1b[ -/]{0,4}[0-~]?"  # any other escape
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]"  # C0, C1, bidi
)
_JSON_LINE_BREAKS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})
"""Characters JSON leaves raw that ``str.splitlines`` (and some JSON Lines readers) break on."""
TABLE_COLUMNS = ("source", "kind", "recipient", "status", "reason", "own_reason", "last_reason", "bounce_type",
                 "suppress", "side", "blocked_by", "flags", "diagnostic")
"""The table's columns (``--header`` columns go before ``diagnostic``)."""
TITLES = {"bounce_type": "TYPE", "suppress": "SUPP"}
"""Column titles shorter than the field name (the rest: the field name in capitals)."""
_NARROW = {"diagnostic": 12, "source": 16, "subject": 12}
"""Columns narrowed first, in this order, when the table is wider than the terminal, and how far."""
_DROPPED = ("diagnostic", "own_reason", "last_reason", "status", "bounce_type", "suppress")
"""Columns left out, in this order, when narrowing is not enough (a terminal under 100 columns)."""
_LAST = ("recipient", "reason", "source", "flags", "kind")
"""Columns narrowed at last (to a few characters), in this order, on a very narrow terminal."""
_NARROWEST = 8


class Sink(Protocol):
    """Anything that takes record dicts one at a time."""

    def write(self, record: Mapping[str, Any]) -> None:
        """Write one record."""

    def close(self) -> None:
        """Flush what is buffered."""


class JsonLinesSink:
    """One JSON object per line (the default output)."""

    def __init__(self, out: TextIO):
        self.out = out

    def write(self, record: Mapping[str, Any]) -> None:
        """Write one record as a JSON line."""
        self.out.write(json.dumps(record, ensure_ascii=False).translate(_JSON_LINE_BREAKS) + "\n")

    def close(self) -> None:
        """Flush the stream."""
        self.out.flush()


def csv_safe(value: Any) -> str:
    """A value as a CSV cell that a spreadsheet will not run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, list | tuple):
        value = " ".join(str(v) for v in value)
    text = str(value)
    if text.startswith(_FORMULA_START):
        text = "'" + text
    return text


def header_value(record: Mapping[str, Any], name: str) -> Any:
    """The value of ``--header NAME`` in a record's ``headers`` (any case), else None."""
    headers = record.get("headers") or {}
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


def _cell(record: Mapping[str, Any], column: str, headers: tuple[str, ...]) -> Any:
    return header_value(record, column) if column in headers else record.get(column)


class CsvSink:
    """CSV with a header row of the record fields, then one column per ``--header`` name."""

    def __init__(self, out: TextIO, fields: tuple[str, ...] = FIELDS, headers: tuple[str, ...] = ()):
        self.fields = fields + tuple(h for h in headers if h not in fields)
        self.headers = headers
        self.writer = csv.writer(out, lineterminator="\n")
        self.writer.writerow(self.fields)
        self.out = out

    def write(self, record: Mapping[str, Any]) -> None:
        """Write one record as a CSV row."""
        self.writer.writerow([csv_safe(_cell(record, f, self.headers)) for f in self.fields])

    def close(self) -> None:
        """Flush the stream."""
        self.out.flush()


def terminal_safe(value: Any, width: int = 60) -> str:
    """A value for a terminal: control characters and escape sequences removed, shortened."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        value = " ".join(str(v) for v in value)
    text = "" if value is None else str(value)
    text = _CONTROL.sub("", text.replace("\n", " ").replace("\t", " "))
    return text if len(text) <= width else text[: width - 1] + "…"


def columns_of(text: str) -> int:
    """How many terminal columns ``text`` takes (East Asian wide and full-width characters: two)."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - columns_of(text))


def _fit(text: str, width: int, column: str) -> str:
    """``text`` in ``width`` columns: a source loses its start (the file name stays), others their end."""
    if columns_of(text) <= width:
        return text
    chars = list(reversed(text)) if column == "source" else list(text)
    kept: list[str] = []
    used = 1  # the ellipsis
    for ch in chars:
        used += columns_of(ch)
        if used > width:
            break
        kept.append(ch)
    return "…" + "".join(reversed(kept)) if column == "source" else "".join(kept) + "…"


def fit_widths(columns: tuple[str, ...], natural: list[int], width: int, blank: list[bool]) -> list[int]:
    """Column widths (0: the column is left out) that fit ``width`` characters with two spaces
    between columns: the columns of :data:`_NARROW` narrowed, then the ``blank`` ones (no value in
    any row) and those of :data:`_DROPPED` left out, then the others narrowed to a few characters
    (:data:`_LAST` last); room left over goes back to the source."""
    widths = list(natural)

    def excess() -> int:
        shown = [w for w in widths if w]
        return sum(shown) + 2 * (len(shown) - 1) - width

    for column, least in _NARROW.items():
        if column in columns and excess() > 0:
            i = columns.index(column)
            widths[i] -= min(excess(), max(widths[i] - least, 0))
    for i in [i for i, b in enumerate(blank) if b] + [columns.index(c) for c in _DROPPED if c in columns]:
        if excess() > 0 and sum(1 for w in widths if w) > 2:
            widths[i] = 0
    for i in sorted(range(len(columns)), key=lambda i: _LAST.index(columns[i]) if columns[i] in _LAST else -1):
        if widths[i] and excess() > 0:
            widths[i] -= min(excess(), max(widths[i] - _NARROWEST, 0))
    if "source" in columns and excess() < 0:
        i = columns.index("source")
        widths[i] = min(natural[i], widths[i] - excess())
    return widths


class TableSink:
    """A plain aligned table for people, one row per record, as wide as ``width`` (the terminal;
    ``None``: as wide as its cells)."""

    def __init__(self, out: TextIO, columns: tuple[str, ...] = TABLE_COLUMNS, headers: tuple[str, ...] = (),
                 width: int | None = 80):
        self.out = out
        extra = tuple(h for h in headers if h not in columns)
        if "diagnostic" in columns:
            at = columns.index("diagnostic")
            columns = columns[:at] + extra + columns[at:]
        else:
            columns += extra
        self.columns = columns
        self.headers = headers
        self.width = width
        self.rows: list[list[str]] = []

    def write(self, record: Mapping[str, Any]) -> None:
        """Buffer one row (the table is aligned when closed)."""
        self.rows.append([terminal_safe(_cell(record, c, self.headers), 200) for c in self.columns])
        if len(self.rows) >= 500:
            self._flush()

    def _flush(self) -> None:
        titles = [TITLES.get(c, c) for c in self.columns]
        natural = [max([len(t)] + [columns_of(r[i]) for r in self.rows]) for i, t in enumerate(titles)]
        blank = [not any(r[i] for r in self.rows) for i in range(len(self.columns))]
        widths = natural if self.width is None else fit_widths(self.columns, natural, self.width, blank)
        shown = [i for i, w in enumerate(widths) if w]
        titles = [TITLES.get(c, c.upper()) for c in self.columns]
        self.out.write("  ".join(_pad(_fit(titles[i], widths[i], ""), widths[i]) for i in shown).rstrip() + "\n")
        for row in self.rows:
            cells = (_pad(_fit(row[i], widths[i], self.columns[i]), widths[i]) for i in shown)
            self.out.write("  ".join(cells).rstrip() + "\n")
        self.rows = []

    def close(self) -> None:
        """Write the buffered rows."""
        if self.rows:
            self._flush()
        self.out.flush()


def make_sink(fmt: str, out: TextIO, *, headers: tuple[str, ...] = (), width: int = 80) -> Sink:
    """The sink for a ``--format`` name: ``jsonl``, ``csv`` or ``table`` (``headers``: the
    ``--header`` names, a column each in CSV and the table; ``width``: the table's)."""
    if fmt == "csv":
        return CsvSink(out, headers=headers)
    if fmt == "table":
        return TableSink(out, headers=headers, width=width)
    return JsonLinesSink(out)
