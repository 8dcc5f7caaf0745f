"""dsnparse: email bounce messages in, structured and classified bounce records out.

>>> import dsnparse
>>> report = dsnparse.parse(open("bounce.eml", "rb").read())   # doctest: +SKIP
>>> [r.to_dict() for r in report.records]                       # doctest: +SKIP

The public API: :func:`parse`, :func:`parse_many`, :func:`parse_bytes`, :class:`Report`,
:class:`BounceRecord`, :class:`Kind`, :class:`CodeTable`, :class:`Limits`, the errors, the
suppression :class:`Policy`, :class:`Store` (the SQLite store) and :func:`frame` (records as a
pandas DataFrame, the ``dsnparse[pandas]`` extra): both edges, imported on first use, so
``import dsnparse`` loads no I/O module and no pandas.
"""

from typing import TYPE_CHECKING, Any

from .classify.codes import CodeRow, CodeTable
from .core import parse, parse_bytes, parse_many
from .errors import CodeTableError, DsnparseError, InputError, ParseError, SourceError
from .limits import Limits
from .record import FIELDS, BounceRecord, Kind, Report
from .suppression import Policy, Suppression

if TYPE_CHECKING:
    from .io.frame import frame
    from .io.store import Store

__version__ = "0.1.0"

__all__ = [
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
    "frame",
    "parse",
    "parse_bytes",
    "parse_many",
]


def __getattr__(name: str) -> Any:
    """``dsnparse.Store`` and ``dsnparse.frame``, imported from their edges (:mod:`dsnparse.io.store`,
    :mod:`dsnparse.io.frame`) when first asked for."""
    if name == "Store":
        from .io.store import Store

        return Store
    if name == "frame":
        from .io.frame import frame

        return frame
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
