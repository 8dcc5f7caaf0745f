"""dsnparse: email bounce messages in, structured and classified bounce records out.

>>> import dsnparse
>>> report = dsnparse.parse(open("bounce.eml", "rb").read())   # doctest: +SKIP
>>> [r.to_dict() for r in report.records]                       # doctest: +SKIP

The public API: :func:`parse`, :func:`parse_many`, :func:`parse_bytes`, :class:`Report`,
:class:`BounceRecord`, :class:`Kind`, :class:`CodeTable`, :class:`Limits` (and
:data:`DEFAULT_LIMITS`), the errors, the
suppression :class:`Policy`, and :class:`Store` (the SQLite store, an edge: imported on first use,
so ``import dsnparse`` loads no I/O module).
"""

from typing import TYPE_CHECKING, Any

from .classify.codes import CodeRow, CodeTable
from .core import parse, parse_bytes, parse_many
from .errors import CodeTableError, DsnparseError, InputError, ParseError, SourceError
from .limits import DEFAULT_LIMITS, Limits
from .record import FIELDS, BounceRecord, Kind, Report
from .suppression import Policy, Suppression

if TYPE_CHECKING:
    from .io.store import Store

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_LIMITS",
    "FIELDS",
    "BounceRecord",
    "CodeRow",
    "CodeTable",
    "CodeTableError",
    "DsnparseError",
    "InputError",
    "Kind",
    "Limits",
    "ParseError",
    "Policy",
    "Report",
    "SourceError",
    "Store",
    "Suppression",
    "parse",
    "parse_bytes",
    "parse_many",
]


def __getattr__(name: str) -> Any:
    """``dsnparse.Store``, imported from the edge :mod:`dsnparse.io.store` when first asked for."""
    if name == "Store":
        from .io.store import Store

        return Store
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
