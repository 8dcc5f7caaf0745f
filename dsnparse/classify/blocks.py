"""The catalogue of documented refusals (``data/blocks.toml``): which blocklist or provider
policy refused the mail, what it means, and the provider's help or delisting URL.

A row holds when its provider was identified (only for ``scoped`` rows), the record's status is
one of its ``status`` codes (when it names some) and the diagnostic contains one of its literal
``phrases`` (when it names some); the first row in file order that holds is the answer. All rows'
phrases are found in one Aho-Corasick pass (:class:`~dsnparse.phrases.LabelledPhrases`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from ..facts import Facts
from ..phrases import LabelledPhrases
from ..rows import TableError, load_rows
from . import providers
from .identity import sender_identity
from .sides import NEVER_SUPPRESSED, SIDES, side_of


@dataclass(frozen=True, slots=True)
class Block:
    """One documented refusal (a ``[[block]]`` of ``data/blocks.toml``): how it is recognised and
    what it means."""

    id: str
    """Stable id (``spamhaus-zen``, ``microsoft-s3150``, ``gmail-5.7.26``...): ``blocked_by``."""
    name: str
    cause: str
    reason: str
    source: str
    provider: str | None = None
    """Whose reply it is (a provider of ``providers.toml``); ``None`` for blocklists."""
    scoped: bool = False
    """True when the row holds only if ``provider`` was identified for the record."""
    status: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    side: str = ""
    """Whose problem it is; as loaded, the side of ``reason`` when the row names none."""
    help_url: str | None = None
    delist: bool = False
    """True when ``help_url`` is where a listed sender asks for removal."""

    def holds(self, status: str | None, provider: str | None, phrase_hit: bool) -> bool:
        """True when every condition of the row holds (``phrase_hit``: one of its phrases occurs)."""
        if self.scoped and provider != self.provider:
            return False
        if self.status and status not in self.status:
            return False
        return phrase_hit or not self.phrases


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Every row, in file order, and one matcher of all their phrases labelled by row position."""

    rows: tuple[Block, ...]
    phrases: LabelledPhrases
    by_status: dict[str, tuple[int, ...]]
    """Each status code to the positions of the rows without phrases that name it."""


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The packaged catalogue (loaded once); a row that could hold for anything is an error."""
    rows: list[Block] = []
    for row in load_rows("blocks.toml", "block", Block):
        row = replace(row, side=row.side or side_of(row.reason))
        if not row.phrases and not (row.status and row.scoped):
            raise TableError(f"blocks.toml: {row.id} needs phrases, or a status with scoped = true")
        if row.side not in SIDES:
            raise TableError(f"blocks.toml: {row.id} has an unknown side {row.side!r}")
        rows.append(row)
    matcher = LabelledPhrases((str(rank), row.phrases) for rank, row in enumerate(rows))
    by_status: dict[str, list[int]] = {}
    for rank, row in enumerate(rows):
        if not row.phrases:
            for code in row.status:
                by_status.setdefault(code, []).append(rank)
    return Catalogue(rows=tuple(rows), phrases=matcher, by_status={k: tuple(v) for k, v in by_status.items()})


def find(status: str | None, diagnostic: str | None, provider: str | None) -> Block | None:
    """The first catalogue row that holds for a record's status, diagnostic and provider."""
    cat = catalogue()
    hits = {int(label) for label in cat.phrases.labels(diagnostic)} if diagnostic else set()
    candidates = hits.union(cat.by_status.get(status, ())) if status else hits
    for rank in sorted(candidates):
        row = cat.rows[rank]
        if row.holds(status, provider, rank in hits):
            return row
    return None


UNDECIDED = frozenset({"onhold", "undefined"})
"""Reasons that mean the classifier found nothing to decide on: a catalogue row's reason replaces them."""


@dataclass(frozen=True, slots=True)
class Attribution:
    """Whose problem a record is and, for a refusal the catalogue knows, what refused it."""

    reason: str
    """The classifier's reason, or the row's when the classifier decided nothing."""
    side: str
    provider: str | None
    blocked_by: str | None
    sender_identity: str | None
    help_url: str | None


def attribute(facts: Facts, reason: str, found: providers.Provider | None, *, bounce: bool) -> Attribution:
    """The side, receiving provider, catalogue row and quoted sending identity of one record,
    whose provider (:func:`.providers.identify`) is ``found``.

    ``bounce`` is true for failures and delays; other records get their provider and the side of
    their reason only. A catalogue row decides the side (its own, else its reason's); the sending
    identity is read only for sender- and content-side records."""
    provider = found.name if found is not None else None
    row = find(facts.status, facts.diagnostic, provider) if bounce else None
    if row is None:
        side = side_of(reason)
        blocked_by = help_url = None
    else:
        reason = row.reason if reason in UNDECIDED else reason
        side, blocked_by, help_url = row.side, row.id, row.help_url
        provider = provider or row.provider
    quoted = sender_identity(facts.diagnostic or "") if bounce and side in NEVER_SUPPRESSED else None
    return Attribution(reason=reason, side=side, provider=provider, blocked_by=blocked_by,
                       sender_identity=quoted, help_url=help_url)
