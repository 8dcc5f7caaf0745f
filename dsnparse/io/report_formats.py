"""``dsnparse report`` output: the sections (:class:`~dsnparse.summary.Table`) as a terminal
table, JSON or CSV; the HTML page is :mod:`dsnparse.io.report_html`.

Text from mail stays data here as in the record sinks: the terminal table strips control
sequences (:func:`~dsnparse.io.sinks.terminal_safe`) and every CSV cell goes through the formula
guard (:func:`~dsnparse.io.sinks.csv_safe`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from ..summary import Table
from .sinks import TableSink, csv_safe, terminal_safe

FORMATS = ("table", "json", "csv", "html")
"""The ``--format`` names of ``dsnparse report``."""
TERMINAL_ROWS = 25
"""Most rows a section shows in the terminal table (JSON and CSV carry them all)."""


def period_lines(period: Mapping[str, Any]) -> list[str]:
    """The report's header as ``key: value`` lines (what was read, the period, when made)."""
    return [f"{key}: {terminal_safe(value, 200)}" for key, value in period.items() if value not in (None, "")]


def write_table(tables: Sequence[Table], period: Mapping[str, Any], out: TextIO) -> None:
    """Every section as an aligned plain-text table under its title."""
    for line in period_lines(period):
        out.write(line + "\n")
    for table in tables:
        out.write(f"\n== {table.title} ==\n")
        if not table.rows:
            out.write("(nothing)\n")
            continue
        sink = TableSink(out, table.terminal or table.columns)
        shown = [dict(zip(table.columns, row, strict=True)) for row in table.rows[:TERMINAL_ROWS]]
        for row in shown:
            sink.write(row)
        sink.close()
        hidden = len(table.rows) - TERMINAL_ROWS
        if hidden > 0:
            out.write(f"... {hidden} more rows (--format csv or json lists them all)\n")
        if table.detail:
            out.write("".join(f"- {terminal_safe(row[table.detail], 400)}\n" for row in shown))
        if table.note:
            out.write(f"({terminal_safe(table.note, 400)})\n")
    out.flush()


def as_json(tables: Sequence[Table], period: Mapping[str, Any]) -> dict[str, Any]:
    """The report as a JSON-ready dict: ``period`` and one ``sections`` entry per table, its rows as objects."""
    return {
        "period": dict(period),
        "sections": {
            t.name: {"title": t.title, "columns": list(t.columns), "note": t.note,
                     "rows": [dict(zip(t.columns, row, strict=True)) for row in t.rows]}
            for t in tables
        },
    }


def write_json(tables: Sequence[Table], period: Mapping[str, Any], out: TextIO) -> None:
    """The report as one JSON document."""
    json.dump(as_json(tables, period), out, ensure_ascii=False, indent=1)
    out.write("\n")
    out.flush()


def write_csv(tables: Sequence[Table], period: Mapping[str, Any], out: TextIO) -> None:
    """One CSV table per section: a row with the section's name in brackets, the header row, the
    rows, an empty row. The period comes first as a ``[period]`` section of ``key,value`` rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["[period]"])
    writer.writerow(["key", "value"])
    for key, value in period.items():
        writer.writerow([csv_safe(key), csv_safe(value)])
    for table in tables:
        writer.writerow([])
        writer.writerow([f"[{table.name}]"])
        writer.writerow(table.columns)
        for row in table.rows:
            writer.writerow([csv_safe(v) for v in row])
    out.flush()
