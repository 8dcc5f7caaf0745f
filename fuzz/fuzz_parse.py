"""Coverage-guided fuzz target (atheris / libFuzzer) for :func:`dsnparse.parse`.

The property: any bytes give a :class:`dsnparse.Report` whose records serialise to JSON, CSV and
the terminal table, or raise a :class:`dsnparse.DsnparseError`. Anything else is a finding.
libFuzzer's ``-timeout`` catches hangs and ``-rss_limit_mb`` memory blow-ups.

Run (see fuzz/README.md)::

    .venv/bin/pip install atheris
    mkdir -p fuzz/corpus-run
    .venv/bin/python fuzz/fuzz_parse.py fuzz/corpus-run fixtures \
        -max_total_time=600 -timeout=10 -rss_limit_mb=2048 -max_len=200000

A single input (a crash file) is replayed with ``fuzz/fuzz_parse.py FILE``; each finding becomes a
fixture under ``fixtures/robustness/`` (checked by tests/test_fixtures.py).
"""

from __future__ import annotations

import io
import json
import sys

import atheris

with atheris.instrument_imports(include=["dsnparse", "email", "flanker"]):
    import dsnparse
    from dsnparse.io.sinks import CsvSink, TableSink


def check(data: bytes) -> None:
    """Parse one input and render its records; only dsnparse's own errors may escape parse."""
    try:
        report = dsnparse.parse(data, source="fuzz")
    except dsnparse.DsnparseError:
        return
    if not isinstance(report, dsnparse.Report):
        raise TypeError(f"parse returned {type(report).__name__}")
    out = io.StringIO()
    csv_sink, table_sink = CsvSink(out), TableSink(out)
    for record in report.records:
        row = record.to_dict()
        json.dumps(row, ensure_ascii=False)
        csv_sink.write(row)
        table_sink.write(row)
    table_sink.close()


def main() -> None:
    """libFuzzer entry point: ``fuzz_parse.py [libFuzzer options] [CORPUS_DIR|FILE]...``."""
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
