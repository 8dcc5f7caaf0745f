"""Optional parts (the ``[imap]``, ``[dask]`` and ``[completion]`` extras): a missing package
becomes a :class:`~dsnparse.errors.MissingExtra` that says what to install."""

from __future__ import annotations

import importlib
from types import ModuleType

from ..errors import MissingExtra


def require(module: str, extra: str, what: str) -> ModuleType:
    """Import ``module``, or raise :class:`MissingExtra`: ``what needs the NAME package: pip
    install 'dsnparse[extra]'``."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        package = module.split(".")[0]
        raise MissingExtra(f"{what} needs the {package} package: pip install 'dsnparse[{extra}]'") from exc
