"""Sinks: where records go (JSON Lines, CSV, a terminal table). Text from messages is data:
CSV cells are guarded against spreadsheet formula injection and the table strips control
sequences."""

from __future__ import annotations

import csv
import json
import re
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
TABLE_COLUMNS = ("source", "recipient", "action", "status", "reason", "own_reason", "last_reason", "bounce_type",
                 "suppress", "side", "blocked_by", "diagnostic")


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


class CsvSink:
    """CSV with a header row of the record fields."""

    def __init__(self, out: TextIO, fields: tuple[str, ...] = FIELDS):
        self.fields = fields
        self.writer = csv.writer(out, lineterminator="\n")
        self.writer.writerow(fields)
        self.out = out

    def write(self, record: Mapping[str, Any]) -> None:
        """Write one record as a CSV row."""
        self.writer.writerow([csv_safe(record.get(f)) for f in self.fields])

    def close(self) -> None:
        """Flush the stream."""
        self.out.flush()


def terminal_safe(value: Any, width: int = 60) -> str:
    """A value for a terminal: control characters and escape sequences removed, shortened."""
    text = "" if value is None else str(value)
    text = _CONTROL.sub("", text.replace("\n", " ").replace("\t", " "))
    return text if len(text) <= width else text[: width - 1] + "…"


class TableSink:
    """A plain aligned table for people, one row per record."""

    def __init__(self, out: TextIO, columns: tuple[str, ...] = TABLE_COLUMNS):
        self.out = out
        self.columns = columns
        self.rows: list[list[str]] = []

    def write(self, record: Mapping[str, Any]) -> None:
        """Buffer one row (the table is aligned when closed)."""
        self.rows.append([terminal_safe(record.get(c)) for c in self.columns])
        if len(self.rows) >= 500:
            self._flush()

    def _flush(self) -> None:
        widths = [max([len(c)] + [len(r[i]) for r in self.rows]) for i, c in enumerate(self.columns)]
        self.out.write("  ".join(c.upper().ljust(w) for c, w in zip(self.columns, widths, strict=True)).rstrip() + "\n")
        for row in self.rows:
            self.out.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() + "\n")
        self.rows = []

    def close(self) -> None:
        """Write the buffered rows."""
        if self.rows:
            self._flush()
        self.out.flush()


def make_sink(fmt: str, out: TextIO) -> Sink:
    """The sink for a ``--format`` name: ``jsonl``, ``csv`` or ``table``."""
    if fmt == "csv":
        return CsvSink(out)
    if fmt == "table":
        return TableSink(out)
    return JsonLinesSink(out)
