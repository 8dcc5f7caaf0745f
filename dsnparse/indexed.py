"""A compat32 ``Message`` whose header lookups are dictionary lookups, for a parse-once,
read-many workload.

``email.message.Message`` keeps headers as a list and scans it, lower-casing every name, on each
``get``; ``get_content_type`` and ``get_param`` re-parse the Content-Type value on each call. The
readers and the ~80 decoders ask the same few headers of the same parts over and over, so
:class:`IndexedMessage` builds a name index on the first lookup and remembers parsed parameters.
Behaviour is the stdlib's (it only caches what the stdlib would compute); every method that
changes headers drops the caches once it is done. :data:`POLICY` (``compat32`` making these messages) is what
:func:`dsnparse.message.load` parses with.
"""

from __future__ import annotations

from email.message import Message, _unquotevalue  # type: ignore[attr-defined]  # get_param's own unquoting
from email.policy import compat32
from typing import Any

_MISSING: Any = object()
_UNSEEN: Any = object()


class IndexedMessage(Message):
    """``Message`` with cached header lookups (same results, no list scans)."""

    _dsn_index: dict[str, list[tuple[str, Any]]] | None = None
    _dsn_params: dict[object, Any] | None = None
    _dsn_type: str | None = None
    _dsn_type_field: str | None = None

    def set_parsed_headers(self, fields: list[tuple[str, str]]) -> None:
        """Take the fields a parser read (``(name, value)`` as ``compat32`` stores them); they
        are indexed on the first lookup."""
        self._headers = fields
        self._dsn_index = self._dsn_params = self._dsn_type = self._dsn_type_field = None

    def content_type_from(self, value: str) -> str:
        """``get_content_type`` given the value of the message's first Content-Type field (as a
        parser read it), without indexing the fields; kept as that method's answer."""
        if not value.isascii():  # compat32 hands such values out as Header objects
            return self.get_content_type()
        ctype = value.partition(";")[0].strip().lower()
        if ctype.count("/") != 1:  # RFC 2045 5.2, as Message.get_content_type
            ctype = "text/plain"
        self._dsn_type = ctype
        self._dsn_type_field = value  # what get("content-type") gives: parameters read without an index
        return ctype

    def header_names(self) -> frozenset[str]:
        """The lower-cased names of the fields (from the index)."""
        return frozenset(self._index())

    def _index(self) -> dict[str, list[tuple[str, Any]]]:
        index = self._dsn_index
        if index is None:
            index = {}
            for field in self._headers:  # the (name, value) tuples themselves, not copies
                # setdefault: one dict call per field, no test-then-store (40% less time here)
                index.setdefault(field[0].lower(), []).append(field)
            self._dsn_index = index
        return index

    def _memo(self) -> dict[object, Any]:
        memo = self._dsn_params
        if memo is None:
            memo = self._dsn_params = {}
        return memo

    def _changed(self) -> None:
        self._dsn_index = self._dsn_params = self._dsn_type = self._dsn_type_field = None

    def _fetch(self, name: str, value: Any) -> Any:
        # compat32 returns a str value as it is unless it holds surrogate escapes (then a Header):
        # an ASCII value cannot, so it skips the policy call
        if value.__class__ is str and value.isascii() and self.policy is POLICY:
            return value
        return self.policy.header_fetch_parse(name, value)

    # -- reads --------------------------------------------------------------------------------
    def get(self, name: str, failobj: Any = None) -> Any:
        """The first value of header ``name`` (as ``Message.get``)."""
        index = self._dsn_index
        found = (index if index is not None else self._index()).get(name.lower())
        if not found:
            return failobj
        key, value = found[0]
        return self._fetch(key, value)

    def __getitem__(self, name: str) -> Any:
        return self.get(name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._index()

    def get_all(self, name: str, failobj: Any = None) -> Any:
        """Every value of header ``name`` (as ``Message.get_all``)."""
        found = self._index().get(name.lower())
        if not found:
            return failobj
        return [self._fetch(k, v) for k, v in found]

    def get_content_type(self) -> str:
        """As ``Message.get_content_type``, parsed once per Content-Type value."""
        ctype = self._dsn_type
        if ctype is None:
            if not self._index().get("content-type"):
                return self.get_default_type()  # may change with set_default_type: not kept
            ctype = self._dsn_type = super().get_content_type()
        return ctype

    def _get_params_preserve(self, failobj: Any, header: str) -> Any:
        memo = self._memo()
        key = header.lower()
        params = memo.get(key)
        if params is None:
            value = self._dsn_type_field if key == "content-type" else None
            if value is None:
                value = self.get(header, _MISSING)
            params = value if value is _MISSING else simple_params(value)
            if params is None:
                params = super()._get_params_preserve(_MISSING, header)  # type: ignore[misc]
            memo[key] = params
        return failobj if params is _MISSING else params

    def get_param(self, param: str, failobj: Any = None, header: str = "content-type", unquote: bool = True) -> Any:
        """As ``Message.get_param``, looked up once per parameter name."""
        memo = self._memo()
        wanted = param.lower()
        key = ("\0param", wanted, header.lower(), unquote)
        found = memo.get(key, _UNSEEN)
        if found is _UNSEEN:  # Message.get_param's loop, over the memoised parameters
            found = _MISSING
            params = self._get_params_preserve(_MISSING, header)
            if params is not _MISSING:
                for name, value in params:
                    if name.lower() == wanted:
                        found = _unquotevalue(value) if unquote else value
                        break
            memo[key] = found
        return failobj if found is _MISSING else found

    # -- writes drop the caches ---------------------------------------------------------------
    def set_raw(self, name: str, value: Any) -> None:
        """As ``Message.set_raw`` (the parser's way of adding a header, so kept lean)."""
        self._headers.append((name, value))  # Message.set_raw's body
        if self._dsn_index is not None or self._dsn_params is not None or self._dsn_type is not None:
            self._changed()

    def __setitem__(self, name: str, val: Any) -> None:
        try:
            super().__setitem__(name, val)
        finally:
            self._changed()

    def __delitem__(self, name: str) -> None:
        try:
            super().__delitem__(name)
        finally:
            self._changed()

    def add_header(self, _name: str, _value: str, **_params: Any) -> None:
        """As ``Message.add_header``."""
        try:
            super().add_header(_name, _value, **_params)
        finally:
            self._changed()

    def replace_header(self, _name: str, _value: Any) -> None:
        """As ``Message.replace_header``."""
        try:
            super().replace_header(_name, _value)
        finally:
            self._changed()

    def set_boundary(self, boundary: str) -> None:
        """As ``Message.set_boundary``."""
        try:
            super().set_boundary(boundary)
        finally:
            self._changed()


def simple_params(value: object) -> list[tuple[str, str]] | None:
    """What ``Message._get_params_preserve`` makes of a header value, for the common shape: no
    RFC 2231 parameter (``*``), no quoted pair (``\\``) and balanced quotes within each
    parameter. None for any other value (the stdlib reads it). In that shape the stdlib's
    quote-aware split is a split at every ``;`` and ``decode_params`` re-quotes each value."""
    if not isinstance(value, str) or value.__class__ is not str:  # a Header: the stdlib reads it
        return None
    text = value
    if "*" in text or "\\" in text:
        return None
    pieces = text.split(";")
    params: list[tuple[str, str]] = []
    for piece in pieces:
        if piece.count('"') % 2:
            return None
        name, sep, val = piece.partition("=")
        if sep:
            params.append((name.strip().lower(), val.strip()))
        else:
            params.append((piece.strip(), ""))
    out = params[:1]
    for name, val in params[1:]:
        if len(val) > 1 and ((val[0] == '"' and val[-1] == '"') or (val[0] == "<" and val[-1] == ">")):
            val = val[1:-1]
        out.append((name, '"' + val.replace('"', '\\"') + '"'))
    return out


POLICY = compat32.clone(message_factory=IndexedMessage)
"""``compat32`` producing :class:`IndexedMessage` for every part."""
