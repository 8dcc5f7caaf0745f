"""The exceptions dsnparse raises. Everything it raises on bad input derives from :class:`DsnparseError`."""

from __future__ import annotations


class DsnparseError(Exception):
    """Base class of every error dsnparse raises on purpose."""


class InputError(DsnparseError, TypeError):
    """The value given to :func:`dsnparse.parse` is not a message (wrong type, unreadable file)."""


class CodeTableError(DsnparseError, ValueError):
    """A code table file is malformed (bad code, bad bounce type, missing column)."""


class SourceError(DsnparseError, OSError):
    """A source (file, directory, mailbox) could not be read."""


class ParseError(DsnparseError, ValueError):
    """A message could not be analysed (for instance MIME nesting too deep for the parser)."""


class MissingExtra(DsnparseError, ImportError):
    """An optional part needs a package that is not installed; the message says what to install."""
