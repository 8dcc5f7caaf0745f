"""A decoder's gate: what its ``matches`` cannot be true without, checked before calling it."""

from __future__ import annotations

from dataclasses import dataclass

from ...message import Mail


@dataclass(frozen=True, slots=True)
class Gate:
    """What a decoder's ``matches`` cannot be true without, declared beside it: a word of
    ``sender`` in the bounce's From (``Mail.sender``, lower-cased) or one of the ``headers``
    (lower-case names) on the bounce. Only what ``matches`` itself requires belongs here, so a
    closed gate gives the answer ``matches`` would give, with none of its reads."""

    sender: tuple[str, ...] = ()
    headers: frozenset[str] = frozenset()

    def open(self, mail: Mail) -> bool:
        """True when ``matches`` may be true for ``mail``."""
        sender = mail.sender
        return any(word in sender for word in self.sender) or not self.headers.isdisjoint(mail.header_names)
