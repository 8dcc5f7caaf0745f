"""The pipeline: message -> standard parts / MTA decoders -> facts -> classify -> :class:`Report`.

Pure: no I/O, no global mutable state (tables are loaded once and never changed), so ``parse``
is safe to call from threads and worker processes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from email.message import Message
from typing import IO, Any

from . import addresses, finality
from .classify import Context, to_record
from .classify.codes import CodeTable
from .decoders import LAST_RESORT, SPECIFIC, Decoder, closed
from .errors import DsnparseError, ParseError
from .facts import Facts, by_recipient, is_generic
from .limits import DEFAULT_LIMITS, LimitHit, Limits, is_limit_hit
from .message import Mail, load
from .record import BounceRecord, Kind, Report
from .standard import arf, autoreply, dsn, forward, mdn

MessageInput = bytes | str | IO[bytes] | Message
"""What :func:`parse` accepts."""

_ORIGINAL_FIELDS = ("message-id", "subject", "from", "to", "date", "list-id", "return-path")
_WANTED_ORIGINAL = frozenset(_ORIGINAL_FIELDS)


def parse(
    message: MessageInput,
    *,
    source: str | None = None,
    table: CodeTable | None = None,
    original_headers: Sequence[str] = (),
    limits: Limits | None = None,
    strict: bool = False,
) -> Report:
    """Analyse one message and return its :class:`Report`.

    ``message`` is bytes, str, a binary file or an ``email.message.Message``. ``table`` replaces
    the default code table; ``original_headers`` names extra headers of the returned original
    message to copy into every record (``X-Campaign-ID``...); ``limits`` bounds the work.
    Raises :class:`~dsnparse.errors.InputError` for a value that is not a message and
    :class:`~dsnparse.errors.ParseError` when the message defeats the parser - including a bug
    (``AttributeError``, ``TypeError``, ``IndexError``...), so that a batch records it as an
    ``unparsed`` message and goes on. ``strict=True`` (for tests and fuzzers, like the stdlib's
    ``policy.strict``) re-raises such an error as it is instead.
    """
    limits = limits or DEFAULT_LIMITS
    try:
        mail = load(message, limits)
        return analyse(mail, source=source, table=table or CodeTable.default(), original_headers=original_headers)
    except DsnparseError:
        raise
    except RecursionError as exc:
        if strict:
            raise
        raise ParseError("MIME structure nested too deeply for the parser") from exc
    except (ValueError, LookupError, UnicodeError, AttributeError, TypeError, IndexError) as exc:
        if strict:
            raise
        raise ParseError(f"message could not be analysed: {type(exc).__name__}: {exc}") from exc


def parse_many(
    messages: Iterable[MessageInput | tuple[str, MessageInput]],
    *,
    table: CodeTable | None = None,
    original_headers: Sequence[str] = (),
    limits: Limits | None = None,
) -> Iterator[Report]:
    """Parse a stream of messages (or ``(source, message)`` pairs) lazily, one report each.

    A message that cannot be parsed yields a ``not_bounce`` report whose only record is flagged
    ``unparsed`` (with the cause), so a stream never stops on one bad message.
    """
    for item in messages:
        source: str | None = None
        if isinstance(item, tuple):
            source, item = item
        try:
            yield parse(item, source=source, table=table, original_headers=original_headers, limits=limits)
        except DsnparseError as exc:
            yield unparsed_report(source, exc)


def parse_bytes(raw: bytes, source: str | None = None) -> list[dict[str, Any]]:
    """Records of one raw message as dicts (never raising on bad input): the unit of work for
    distributed engines (Dask, Spark), picklable as a top-level function."""
    try:
        report = parse(raw, source=source)
    except DsnparseError as exc:
        report = unparsed_report(source, exc)
    return [r.to_dict() for r in report.records]


def with_limits(report: Report, hits: Iterable[str]) -> Report:
    """``report`` with a ``limit:<name>`` flag for each limit in ``hits`` (limits a source hit
    while reading the message, before :func:`parse` saw it) on the report and every record."""
    flags = tuple(f"limit:{name}" for name in hits)
    extra = tuple(f for f in flags if f not in report.defects)
    if not extra:
        return report
    records = tuple(
        dataclasses.replace(r, flags=r.flags + tuple(f for f in extra if f not in r.flags)) for r in report.records
    )
    return dataclasses.replace(report, records=records, defects=report.defects + extra)


def unparsed_report(source: str | None, exc: Exception) -> Report:
    """The report for a message that could not be parsed: one record flagged ``unparsed``."""
    cause = f"{type(exc).__name__}: {exc}"
    record = BounceRecord(source=source, kind=Kind.NOT_BOUNCE, reason="undefined", diagnostic=cause,
                          flags=("unparsed",))
    return Report(kind=Kind.NOT_BOUNCE, records=(record,), defects=(cause,), source=source)


# -- the analysis ------------------------------------------------------------------------------


def analyse(
    mail: Mail, *, source: str | None = None, table: CodeTable, original_headers: Sequence[str] = ()
) -> Report:
    """Facts from the standard parts or an MTA decoder, classified into a report."""
    kind, facts, decoder = _facts(mail)
    original = _original_headers(mail, original_headers)
    if kind is Kind.NOT_BOUNCE:
        return Report(kind=kind, original_headers=original, defects=tuple(mail.defects), source=source)
    if kind in (Kind.FAILURE, Kind.DELAY):
        facts = _complete(mail, facts)
    if len(facts) > mail.limits.max_recipients:
        facts = facts[: mail.limits.max_recipients]
        mail.flag(LimitHit.RECIPIENTS)
    ctx = Context(
        source=source,
        kind=_message_kind({f.action for f in facts}, kind),
        sender=_sender(mail),
        message_id=mail.original_header("message-id").strip() or None,
        subject=mail.original_header("subject") or None,
        list_id=mail.original_header("list-id") or None,
        headers=_wanted(original, original_headers),
        decoder=decoder,
        flags=tuple(d for d in mail.defects if is_limit_hit(d)),
    )
    return Report(
        kind=ctx.kind or kind,
        records=tuple(to_record(f, kind, ctx, table) for f in facts),
        original_headers=original,
        defects=tuple(mail.defects),
        source=source,
    )


def _facts(mail: Mail) -> tuple[Kind, list[Facts], str | None]:
    """The message's kind, its per-recipient facts and the name of what read them."""
    if arf.is_complaint(mail):
        return Kind.COMPLAINT, arf.read(mail), "arf"
    if mdn.is_receipt(mail):
        return Kind.RECEIPT, mdn.read(mail), "mdn"
    if forward.is_forward(mail):
        return Kind.NOT_BOUNCE, [], None
    standard = dsn.read(mail)
    found, name = _first_decoded(mail, SPECIFIC)
    if not found and not standard and not _looks_autoreply(mail):
        # the last resort reads failure wording anywhere: never over a DSN or an automatic reply
        found, name = _first_decoded(mail, (LAST_RESORT,))
    if standard:
        facts = _merge(standard, found)
        return Kind.FAILURE, facts, name or "rfc3464"
    if found:
        # a decoder that read a provider's complaint notification marks every fact with its type
        kind = Kind.COMPLAINT if all(f.feedback_type for f in found) else Kind.FAILURE
        return kind, found, name
    if _looks_autoreply(mail):
        return Kind.AUTOREPLY, autoreply.read(mail), "rfc3834"
    return Kind.NOT_BOUNCE, [], None


def _first_decoded(mail: Mail, candidates: Iterable[Decoder]) -> tuple[list[Facts], str | None]:
    """The facts of the first decoder that claims the message and reads something, and its name
    (a decoder whose gate is closed does not claim it: its ``matches`` is not called)."""
    skipped = closed(mail)
    for decoder in candidates:
        if decoder not in skipped and decoder.matches(mail):
            found = decoder.decode(mail)
            if found:
                return found, decoder.NAME
    return [], None


def _looks_autoreply(mail: Mail) -> bool:
    if mail.from_daemon:
        return False
    return autoreply.is_autoreply(mail)


def _merge(standard: list[Facts], found: list[Facts]) -> list[Facts]:
    """DSN facts first; a decoder's facts fill what the DSN lacks (matched by recipient)."""
    if not found:
        return standard
    by_rcpt = {f.recipient.lower(): f for f in found if f.recipient}
    for i, fact in enumerate(standard):
        extra = by_rcpt.get(fact.recipient.lower()) if fact.recipient else None
        if extra is None and len(found) == len(standard):
            extra = found[i]
        if extra is None:
            continue
        if extra.status and is_generic(fact.status) and not is_generic(extra.status):
            fact.status = extra.status
        if extra.diagnostic and _fuller(extra.diagnostic, fact.diagnostic):
            fact.diagnostic = extra.diagnostic
        fact.fill(extra)
    return standard


def _fuller(text: str, than: str | None) -> bool:
    """True when ``text`` says more than the DSN's diagnostic: there is none, it is a stub, or it
    is the first line of a multi-line reply (``550-...``) that ``text`` continues: the DSN writer
    lost the continuation lines."""
    if not than or len(than) < 8:
        return True
    head = " ".join(than.split())
    return head[3:4] == "-" and head[:3].isdigit() and " ".join(text.split()).startswith(head) and len(text) > len(head)


def _complete(mail: Mail, facts: list[Facts]) -> list[Facts]:
    """Recipient fall-backs, action inference and de-duplication for failure facts."""
    if not facts:
        facts = [Facts()]
    _fill_recipients(mail, facts)
    _infer_actions(mail, facts)
    out = by_recipient(f for f in facts if f.recipient is not None)
    anonymous = [f for f in facts if f.recipient is None]
    return out + anonymous[: 0 if out else 1]


def _fill_recipients(mail: Mail, facts: list[Facts]) -> None:
    """Give facts without a recipient the fall-back recipients, in order."""
    missing = [f for f in facts if not f.recipient]
    if not missing:
        return
    for candidate, origin in _fallback_recipients(mail, facts):
        if not missing:
            break
        target = missing.pop(0)
        target.recipient, target.recipient_source = candidate, origin


def _infer_actions(mail: Mail, facts: list[Facts]) -> None:
    """What the report says became of the message (``data/finality.toml``), and an action for
    facts without one: ``delivered`` for a 2.x.x status, ``delayed`` when the report says it keeps
    trying (unless the status is permanent), else ``failed``. A message given up is a failure,
    even on a delay template (``gave_up``)."""
    # the recipient's own diagnostic speaks first, then the subject and the human-readable part
    # (read once, when a recipient's action or code leaves the question open)
    message: list[finality.Verdict | None] = []
    any_failed = any(f.action == "failed" for f in facts)
    for f in facts:
        own = finality.verdict(f.diagnostic, f.comment)
        # a failure with a code of its own needs no notice (a class 4 one is given up anyway)
        if own is None and (f.action != "failed" or not f.status):
            if not message:
                message.append(finality.verdict(mail.subject, mail.report_text[:2000], notice=True))
            own = message[0]
            # the notice's words cover a delayed recipient only when no recipient failed outright
            if own == finality.GAVE_UP and f.action == "delayed" and any_failed:
                own = None
        if own == finality.GAVE_UP and f.action in (None, "failed", "delayed") and not (f.status or "").startswith("2"):
            f.gave_up = True
            f.action = "failed"  # given up: a failure, even on a delay template
        if f.action is None:
            if f.status and f.status[0] == "2":
                f.action = "delivered"
            elif own == finality.RETRYING and not (f.status or "").startswith("5"):
                f.action = "delayed"
            else:
                f.action = "failed"


def _fallback_recipients(mail: Mail, facts: list[Facts]) -> list[tuple[str, str]]:
    known = {f.recipient.lower() for f in facts if f.recipient}
    out: list[tuple[str, str]] = []

    def add(addr: str | None, origin: str) -> None:
        if addr and addr.lower() not in known and not addresses.is_system(addr):
            known.add(addr.lower())
            out.append((addr, origin))

    for value in mail.header_all("x-failed-recipients"):
        for a in addresses.find_all(value):
            add(a, "x-failed-recipients")
    for f in facts:
        add(f.original_recipient, "report")
    for name in ("to", "delivered-to", "x-original-to", "envelope-to"):
        for a in addresses.find_all(mail.header(name)):
            add(addresses.verp_recipient(a), "verp")
    for a in addresses.find_all(mail.original_header("to")):
        add(a, "original-to")
    return out


def _message_kind(actions: set[str | None], kind: Kind) -> Kind:
    """The kind of the whole message from its records' actions (each fact of a failure or delay
    has its action by now, as its record will)."""
    if kind not in (Kind.FAILURE, Kind.DELAY):
        return kind
    if "failed" in actions:
        return Kind.FAILURE
    if "delayed" in actions:
        return Kind.DELAY
    if actions & {"delivered", "relayed", "expanded"}:
        return Kind.DELIVERED
    return kind


def _sender(mail: Mail) -> str | None:
    first = next((groups[0] for groups in dsn.field_groups(mail) if groups), None)  # the per-message group
    if first is not None:
        addr = addresses.normalize(first.get("x-postfix-sender") or first.get("x-original-sender"))
        if addr:
            return addr
    for value in (mail.original_header("return-path"), mail.original_header("from"), mail.header("to")):
        addr = addresses.normalize(value)
        if addr:
            return addr
    return None


def _wanted(original: dict[str, str], names: Sequence[str]) -> dict[str, str]:
    """The headers of ``original`` that ``names`` asks for (any case)."""
    if not names:
        return {}
    wanted = {h.lower() for h in names}
    return {k: v for k, v in original.items() if k.lower() in wanted}


def _original_headers(mail: Mail, extra: Sequence[str]) -> dict[str, str]:
    orig = mail.original
    if orig is None:
        return {}
    wanted = _WANTED_ORIGINAL | {h.lower() for h in extra} if extra else _WANTED_ORIGINAL
    out: dict[str, str] = {}
    for name in orig.keys():  # noqa: SIM118 - keys() does not decode every value as items() does
        if name not in out and name.lower() in wanted:
            out[name] = mail.original_header(name)
    return out
