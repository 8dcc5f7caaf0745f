"""The core/edge line of the README, kept true in the tree: no core module imports an edge
(``dsnparse.io``, ``dsnparse.cli``) or a library that does I/O, processes or networking."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dsnparse"

EDGES = ("io", "cli", "__main__")
"""Top-level names under ``dsnparse/`` that are edges: subpackages and modules."""

FORBIDDEN = frozenset({
    "argparse", "asyncio", "concurrent", "dask", "glob", "imaplib", "imapclient", "multiprocessing", "os",
    "pandas", "pathlib", "plotly", "requests", "select", "selectors", "selenium", "signal", "socket", "sqlite3",
    "ssl", "subprocess", "sys", "threading", "urllib",
})
"""Libraries a core module never needs: files, processes, threads, sockets, databases, CLIs, and the
optional extras (DataFrames, charts)."""

ALLOWED = frozenset({"os.PathLike"})
"""Names from a forbidden library that are types, not I/O (``CodeTable.from_file``'s path type;
like ``email.message_from_file``, it reads a file the caller names)."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_edge(module: str) -> bool:
    parts = module.split(".")
    return len(parts) > 1 and parts[0] == "dsnparse" and parts[1] in EDGES


CORE = sorted(p for p in PACKAGE.rglob("*.py") if not _is_edge(_module_name(p)) and _module_name(p) != "dsnparse")
"""Every core module; ``dsnparse/__init__.py`` is the public facade, which hands out ``Store``
lazily (checked below: importing it loads no edge)."""


def _imports(path: Path) -> list[str]:
    """Absolute names of what ``path`` imports: ``import a.b`` gives ``a.b``, ``from a import b``
    gives ``a.b`` (relative imports resolved)."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                stem = ".".join([*base, node.module] if node.module else base)
            else:
                stem = node.module or ""
            out.extend(f"{stem}.{alias.name}" for alias in node.names)
    return out


def test_the_core_is_most_of_the_package() -> None:
    assert len(CORE) > 40
    assert any(p.name == "core.py" for p in CORE)


@pytest.mark.parametrize("path", CORE, ids=[_module_name(p) for p in CORE])
def test_core_module_imports_no_edge_and_no_io_library(path: Path) -> None:
    bad = sorted({
        name for name in _imports(path)
        if _is_edge(name) or (name.split(".")[0] in FORBIDDEN and name not in ALLOWED)
    })
    assert bad == [], f"{_module_name(path)} (core) imports {bad}"


def test_the_check_catches_an_edge_import(tmp_path: Path) -> None:
    """The walk itself finds both kinds of forbidden import (a test that could not fail is no test)."""
    fake = PACKAGE / "classify" / "_layers_probe.py"
    assert not fake.exists()
    try:
        fake.write_text("import sqlite3\nfrom ..io import sinks\nfrom ..record import Kind\n", encoding="utf-8")
        names = _imports(fake)
    finally:
        fake.unlink()
    assert "sqlite3" in names
    assert "dsnparse.io.sinks" in names and _is_edge("dsnparse.io.sinks")
    assert not _is_edge("dsnparse.record.Kind")


def test_importing_the_package_loads_no_edge_and_no_io_library() -> None:
    """At run time (socket and argparse are left out: flanker's own imports load them)."""
    code = (
        "import sys, dsnparse; dsnparse.parse(b'From: a@example.com\\n\\nhi\\n');"
        "print(sorted(m for m in sys.modules if m.startswith('dsnparse.io') or m.startswith('dsnparse.cli')"
        " or m.split('.')[0] in ('sqlite3', 'imapclient', 'multiprocessing', 'dask', 'pandas', 'plotly')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_store_is_public_and_lazy() -> None:
    import dsnparse
    from dsnparse.io.store import Store

    assert dsnparse.Store is Store


def test_frame_is_public_and_lazy() -> None:
    pytest.importorskip("pandas")
    import dsnparse
    from dsnparse.io.frame import frame

    assert dsnparse.frame is frame
