"""One loader for the packaged tables: a TOML table of ``dsnparse/data`` read into typed rows.

A row type is a frozen dataclass whose fields are the table's keys. :func:`load_rows` checks every
entry against it on first read: an unknown (or misspelled) key, a missing required key or a value
of the wrong type raises :class:`TableError` naming the file, the table and the key, instead of
being ignored. Lists become tuples, a nested row type reads a list of inline tables.

Three table shapes are read (``table`` names the top-level key; ``None`` is the whole file):

- an array of tables (``[[provider]]``): one row per entry;
- a section of named tables (``[exim]`` with ``mailboxfull = { phrases = [...], example = "..." }``):
  one row per key, the key filling the row's first field;
- a section of named values (``qmail = [...]``, ``"after rcpt to" = "RCPT"``): one row per key, a
  two-field row of the key and its value.
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any, TypeVar

T = TypeVar("T")

__all__ = ["TableError", "document", "load_row", "load_rows", "read_rows"]


class TableError(ValueError):
    """A packaged table does not fit its row type (a bug in ``dsnparse/data``, found on load)."""


@cache
def document(file: str) -> Mapping[str, Any]:
    """The parsed TOML file ``dsnparse/data/<file>`` (read once; do not change it)."""
    return tomllib.loads(resources.files("dsnparse").joinpath("data", file).read_text(encoding="utf-8"))


def load_rows(file: str, table: str | None, row: type[T]) -> tuple[T, ...]:
    """The entries of ``table`` in ``data/<file>`` as ``row`` values, in file order (see the module
    docstring for the shapes); an absent table has no rows."""
    value = document(file) if table is None else document(file).get(table, [])
    return read_rows(value, row, f"{file}:{table or ''}")


def read_rows(value: object, row: type[T], where: str = "table") -> tuple[T, ...]:
    """A parsed TOML table (one of the shapes of the module docstring) as ``row`` values; ``where``
    names it in errors."""
    if isinstance(value, list):
        return tuple(_row(entry, row, f"{where}[{i}]") for i, entry in enumerate(value))
    if not isinstance(value, Mapping):
        raise TableError(f"{where}: expected a table or an array of tables")
    names = [f.name for f in dataclasses.fields(row)]  # type: ignore[arg-type]
    out = []
    for key, entry in value.items():
        if isinstance(entry, Mapping):
            out.append(_row({names[0]: key, **entry}, row, f"{where}.{key}"))
        else:
            out.append(_row(dict(zip(names, (key, entry), strict=False)), row, f"{where}.{key}"))
    return tuple(out)


def load_row(file: str, row: type[T]) -> T:
    """The whole of ``data/<file>`` as one ``row`` value (a file of top-level keys)."""
    return _row(document(file), row, file)


def _row(entry: object, row: type[T], where: str) -> T:
    if not isinstance(entry, Mapping):
        raise TableError(f"{where}: expected a table, got {type(entry).__name__}")
    hints = _hints(typing.cast(Any, row))
    fields = {f.name: f for f in dataclasses.fields(row)}  # type: ignore[arg-type]
    unknown = sorted(set(entry) - set(fields))
    if unknown:
        raise TableError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(fields)})")
    missing = [n for n, f in fields.items() if n not in entry and _required(f)]
    if missing:
        raise TableError(f"{where}: missing key {missing[0]!r}")
    return row(**{k: _value(v, hints[k], f"{where}.{k}") for k, v in entry.items()})


def _required(f: dataclasses.Field[Any]) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


@cache
def _hints(row: type) -> dict[str, Any]:
    return typing.get_type_hints(row)


def _value(value: object, hint: Any, where: str) -> Any:
    """``value`` checked against the annotation ``hint`` (lists to tuples, tables to rows)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in args if a is not type(None)]
        if value is None and len(options) < len(args):
            return None
        return _value(value, options[0], where) if len(options) == 1 else _scalar(value, tuple(options), where)
    if origin is tuple:
        if not isinstance(value, list):
            raise TableError(f"{where}: expected a list, got {type(value).__name__}")
        return tuple(_value(v, args[0], f"{where}[{i}]") for i, v in enumerate(value))
    if dataclasses.is_dataclass(hint):
        return _row(value, hint, where)  # type: ignore[arg-type]
    return _scalar(value, (hint,), where)


def _scalar(value: object, allowed: tuple[type, ...], where: str) -> object:
    # bool is an int in Python, not in TOML: a flag is never a count and a count never a flag
    if type(value) not in allowed:
        names = " or ".join(t.__name__ for t in allowed)
        raise TableError(f"{where}: expected {names}, got {type(value).__name__} {value!r}")
    return value
