"""The man page, generated from the argument parsers (``docs/dsnparse.1``), so it lists every
option the command has. Regenerate with ``python -m dsnparse.cli.manpage > docs/dsnparse.1``;
``tests/test_cli_everyday.py`` fails when the committed page is out of date."""

from __future__ import annotations

import argparse
import sys

from .. import __version__
from .main import full_parser

_EXIT_STATUS = (
    ("0", "every input was read (check: every fixture passed)"),
    ("1", "some input could not be read or parsed, each named on stderr (check: differences found)"),
    ("2", "a usage error: a bad option, an unreadable --code-table, a missing optional package "
          "(check: an unreadable fixture, a malformed expectation, nothing to check)"),
)


def _roff(text: str) -> str:
    """Text escaped for roff: backslashes, hyphens, and a leading dot or quote."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text[:1] in (".", "'") else text


def _options(parser: argparse.ArgumentParser) -> list[str]:
    out: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) or action.help == argparse.SUPPRESS:
            continue
        if action.option_strings:
            names = ", ".join(f"\\fB{_roff(o)}\\fR" for o in action.option_strings)
            if action.nargs != 0:
                metavar = action.metavar or (action.dest.upper() if not action.choices else
                                             "{" + ",".join(map(str, action.choices)) + "}")
                names += f" \\fI{_roff(str(metavar))}\\fR"
        else:
            names = f"\\fI{_roff(str(action.metavar or action.dest))}\\fR"
        out += [".TP", names, _roff(" ".join((action.help or "").split()))]
    return out


def _usage(parser: argparse.ArgumentParser) -> str:
    usage = " ".join(parser.format_usage().removeprefix("usage: ").split())
    return _roff(usage)


def manpage(parser: argparse.ArgumentParser | None = None) -> str:
    """The roff source of ``dsnparse(1)`` for ``parser`` (default: every command's)."""
    ap = parser or full_parser()
    lines = [
        f'.TH DSNPARSE 1 "" "dsnparse {__version__}" "User Commands"',
        ".SH NAME",
        "dsnparse \\- turn email bounce messages into structured bounce records",
        ".SH SYNOPSIS",
        ".B dsnparse",
        "[\\fIOPTIONS\\fR] [\\fIPATH\\fR ...]",
        ".br",
        ".B dsnparse",
        "\\fICOMMAND\\fR [\\fIOPTIONS\\fR] ...",
        ".SH DESCRIPTION",
        _roff(" ".join((ap.description or "").split())),
        ".SH OPTIONS",
        *_options(ap),
        ".SH COMMANDS",
    ]
    for action in ap._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                about = _roff(" ".join((sub.description or "").split()))
                lines += [f'.SS "dsnparse {name}"', _usage(sub), ".PP", about]
                lines += _options(sub)
    lines.append(".SH EXIT STATUS")
    for code, meaning in _EXIT_STATUS:
        lines += [".TP", f"\\fB{code}\\fR", _roff(meaning)]
    lines += [".SH SEE ALSO", "The command-line guide: docs/command\\-line.md in the dsnparse repository."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(manpage())
