"""Every example in the documentation runs, so the docs cannot drift from the code.

The convention (also stated in ``docs/index.md``, "Documentation examples"):

- a ```` ```console ```` block holds shell commands as ``$ command`` lines (other lines are shown
  output and are not compared); each command runs with ``bash`` and must exit 0;
- a ```` ```python ```` block runs as it is (``exec``); the blocks of one page share one namespace,
  in page order, so a later block may use what an earlier one defined;
- both run from a scratch copy of the repository root (every top-level entry linked into a
  temporary directory, so ``fixtures/`` and ``.venv`` are there and files a command writes are
  thrown away), with the venv's ``dsnparse`` first on ``PATH``;
- a block that cannot run here (it needs an IMAP server, Spark, or creates the venv itself) is
  preceded by a line ``<!-- not-run: why -->``; it is then not run, whatever its language;
- shell commands are never written in ```` ```sh ````/```` ```bash ```` blocks: those would escape the
  test, so they fail it (use ```` ```console ```` or give the not-run reason);
- a failure names the page and the line of the command or of the Python line that raised.

Pages are found at collection time (``docs/*.md`` and ``README.md``), so pages added later are
held to the same rule.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
SHELL_LANGUAGES = frozenset({"sh", "bash", "shell", "zsh"})
NOT_RUN = re.compile(r"^<!--\s*not-run:\s*\S.*-->\s*$")
FENCE = re.compile(r"^(`{3,})\s*([\w+-]*)")


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page."""

    language: str
    line: int
    """1-based line number of the first line inside the fence."""
    lines: tuple[str, ...]
    skipped: bool


def blocks(text: str) -> list[Block]:
    """The fenced code blocks of a Markdown text, with their language and position."""
    found: list[Block] = []
    lines = text.splitlines()
    i = 0
    previous = ""
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            if lines[i].strip():
                previous = lines[i].strip()
            i += 1
            continue
        fence, language = opening.group(1), opening.group(2).lower()
        start = i + 1
        end = start
        while end < len(lines) and not lines[end].startswith(fence):
            end += 1
        found.append(Block(language, start + 1, tuple(lines[start:end]), bool(NOT_RUN.match(previous))))
        previous = ""
        i = end + 1
    return found


def _scratch(tmp_path: Path) -> Path:
    """A directory that looks like the repository root; what is written there is thrown away."""
    for entry in ROOT.iterdir():
        if entry.name != ".git":
            (tmp_path / entry.name).symlink_to(entry)
    return tmp_path


def _run_console(page: str, block: Block, cwd: Path) -> None:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("COLUMNS", None)
    commands = [(block.line + n, line[2:]) for n, line in enumerate(block.lines) if line.startswith("$ ")]
    assert commands, f"{page}:{block.line}: a console block with no '$ ' command line"
    for line, command in commands:
        done = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=300, stdin=subprocess.DEVNULL, check=False)
        assert done.returncode == 0, (
            f"{page}:{line}: `{command}` exited {done.returncode}\n"
            f"stdout: {done.stdout[-2000:]}\nstderr: {done.stderr[-2000:]}"
        )


def _run_python(page: str, block: Block, namespace: dict[str, object]) -> None:
    # Padding with blank lines makes a traceback show the page's own line numbers.
    code = "\n" * (block.line - 1) + "\n".join(block.lines)
    exec(compile(code, str(ROOT / page), "exec"), namespace)


def test_pages_are_found() -> None:
    assert ROOT / "README.md" in PAGES
    assert len(PAGES) > 1


def test_blocks_are_read_with_their_lines() -> None:
    text = "# t\n\n```console\n$ true\n```\n\n<!-- not-run: needs a server -->\n```sh\nx\n```\n"
    assert blocks(text) == [Block("console", 4, ("$ true",), False), Block("sh", 9, ("x",), True)]


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_documented_examples_run(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = path.relative_to(ROOT).as_posix()
    cwd = _scratch(tmp_path)
    monkeypatch.chdir(cwd)
    namespace: dict[str, object] = {"__name__": f"docs:{page}"}
    for block in blocks(path.read_text(encoding="utf-8")):
        if block.skipped:
            continue
        assert block.language not in SHELL_LANGUAGES, (
            f"{page}:{block.line}: a ```{block.language} block escapes the docs test: write the commands "
            "in a ```console block as '$ ' lines, or say why it cannot run with <!-- not-run: why -->"
        )
        if block.language == "console":
            _run_console(page, block, cwd)
        elif block.language == "python":
            _run_python(page, block, namespace)
