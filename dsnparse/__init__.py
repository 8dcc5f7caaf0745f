"""dsnparse: email bounce messages in, structured and classified bounce records out.

>>> import dsnparse
>>> report = dsnparse.parse(open("bounce.eml", "rb").read())   # doctest: +SKIP
>>> [r.to_dict() for r in report.records]                       # doctest: +SKIP

The public API: :func:`parse`, :func:`parse_many`, :func:`parse_bytes`, :class:`Report`,
:class:`BounceRecord`, :class:`Kind`, :class:`CodeTable`, :class:`Limits` and the errors.
"""

from .classify.codes import CodeRow, CodeTable
from .core import parse, parse_bytes, parse_many
from .errors import CodeTableError, DsnparseError, InputError, ParseError, SourceError
from .limits import Limits
from .record import FIELDS, BounceRecord, Kind, Report

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
    "Report",
    "SourceError",
    "parse",
    "parse_bytes",
    "parse_many",
]
