"""Command-line options that several commands share: the code table and the headers to copy."""

from __future__ import annotations

import argparse

from ..classify.codes import CodeTable
from ..errors import CodeTableError


def add_record_options(ap: argparse.ArgumentParser, *, headers: bool = True) -> None:
    """``--code-table FILE`` and (with ``headers``) the repeatable ``--header NAME``."""
    if headers:
        ap.add_argument("--header", action="append", default=[], metavar="NAME",
                        help="copy this header of the returned original message into each record (repeatable)")
    ap.add_argument("--code-table", metavar="FILE",
                    help="CSV of code,bounce_type,description rows overriding the default")


def code_table(path: str | None) -> CodeTable | None:
    """The table named by ``--code-table`` (None for the default); a bad file ends the command."""
    if not path:
        return None
    try:
        return CodeTable.from_file(path)
    except (OSError, CodeTableError) as exc:
        raise SystemExit(f"dsnparse: --code-table {path}: {exc}") from exc


def add_paths(ap: argparse.ArgumentParser) -> None:
    """The positional ``PATH...`` of the commands that read messages."""
    ap.add_argument("paths", nargs="*", metavar="PATH",
                    help="files, directories, mbox files, Maildir folders; - for stdin")
