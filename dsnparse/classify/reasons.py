"""Reasons: the vocabulary (``data/reasons.toml``) and the decision from facts to one reason name.

Order of trust, first answer wins:

1. the decoder's own verdict (``Facts.reason``, from a vendor code it knows);
2. provider rules for the remote host or recipient domain (``data/providers.toml``);
3. the enhanced status code (``data/status_reasons.csv``) weighed against the phrase tables over
   the diagnostic text and the reporting MTA's comment (:func:`evidence`): a code with a precise
   meaning holds, a vague one (``5.7.1``, ``5.0.0``...) yields to the phrases (each reason's
   ``yields_to``); a reason the SMTP session contradicts is replaced (the ``[[guard]]`` table:
   ``userunknown`` answering DATA is ``filtered``, an address status answering MAIL FROM is about
   the sender: ``rejected``);
4. fallbacks: an ``X-Unix`` diagnostic is ``mailererror``, a refusal at connection or HELO is
   ``blocked``; without a status code or with a generic ``X.0.0``, a reply code that says it
   (``data/reply_reasons.csv``: 521/556 ``notaccept``, 530/535 ``securityerror``) or a 50x reply
   ``syntaxerror``; a delay ``expired``;
5. ``onhold`` when there is something but nothing to decide on, ``undefined`` when there is nothing.

Every table is data; the phrase matchers are literal alternations (linear time).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..commands import answered
from ..facts import Facts, given_up, is_generic
from ..phrases import LabelledPhrases, any_of
from ..rows import TableError, load_rows
from . import providers

ANY = "*"
"""In ``yields_to``: every other reason."""


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason of the vocabulary."""

    name: str
    description: str
    code: str | None
    """Canonical bounce code for a failure with this reason and no status code."""
    suppress: str
    """When a permanent failure with this reason says the address is dead: ``always``,
    ``evidence`` (a :attr:`suppress_when` phrase in the diagnostic), ``table`` (the code table
    marks the reason's own code hard) or ``never``."""
    suppress_when: re.Pattern[str] | None
    """The evidence phrases for ``suppress = "evidence"``."""
    suppress_unless: re.Pattern[str] | None
    """Phrases that veto the evidence (the text speaks of the sender's domain)."""
    yields_to: frozenset[str]
    """Reasons that phrases may turn this one into when the status code gave it (``*``: any)."""
    holds_against: frozenset[str]
    """Reasons that never override this one."""
    when_temporary: str | None
    """The reason to use instead when the failure is temporary (class 4)."""
    kind: str
    """``failure`` or the non-failure kind the reason belongs to."""
    matcher: re.Pattern[str] | None

    def yields(self, other: str) -> bool:
        """True when a phrase-found ``other`` overrides this status-given reason."""
        if other in self.holds_against:
            return False
        return ANY in self.yields_to or other in self.yields_to


@dataclass(frozen=True, slots=True)
class Guard:
    """A phrase-found reason that the SMTP session contradicts, and what it becomes."""

    reason: str
    becomes: str
    commands: frozenset[str]
    """The guard applies when the failure answered one of these commands..."""
    without_evidence: bool
    """...or when neither the command nor a specific status code is known and the diagnostic is
    not the sending MTA's own (:func:`_local`)."""
    also_status: bool
    """True when the guard also overrides a reason the status code gave."""
    phrases: re.Pattern[str] | None
    """When set, the guard applies only to a text containing one of these phrases."""


@dataclass(frozen=True, slots=True)
class ReasonTables:
    """The loaded vocabulary and tables."""

    reasons: dict[str, Reason]
    ordered: tuple[Reason, ...]
    by_status: dict[str, str]
    by_reply: dict[str, str]
    guards: tuple[Guard, ...]
    phrases: LabelledPhrases
    """Every reason's phrases, for :func:`from_phrases`."""


@dataclass(frozen=True, slots=True)
class Decision:
    """A reason and the rule that gave it (``decoder``, ``provider:google``, ``status``, ``phrase``,
    ``guard``, ``fallback:<what>``, ``onhold``, ``undefined``): the explanation of a verdict."""

    reason: str
    rule: str
    own_reason: str | None = None
    """dsnparse's own reading where it differs from Sisimai's ``reason`` (a provider rule's
    ``own_reason``); None when they agree."""


@dataclass(frozen=True, slots=True)
class ReasonRow:
    """A ``[[reason]]`` of ``data/reasons.toml`` as written (the file's header documents each key)."""

    name: str
    description: str = ""
    code: str | None = None
    suppress: str = "never"
    suppress_when: tuple[str, ...] = ()
    suppress_unless: tuple[str, ...] = ()
    yields_to: tuple[str, ...] = ()
    holds_against: tuple[str, ...] = ()
    when_temporary: str | None = None
    kind: str = "failure"
    phrases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GuardRow:
    """A ``[[guard]]`` of ``data/reasons.toml`` as written."""

    reason: str
    becomes: str
    commands: tuple[str, ...] = ()
    without_evidence: bool = False
    also_status: bool = False
    phrases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WordingRow:
    """A ``[[wording]]`` of ``data/wordings.toml``: more phrases of one reason in one language,
    with their source."""

    reason: str
    language: str
    source: str
    phrases: tuple[str, ...]


def wordings() -> tuple[WordingRow, ...]:
    """The ``[[wording]]`` blocks of ``data/wordings.toml``, in file order."""
    return load_rows("wordings.toml", "wording", WordingRow)


def _with_wordings(rows: tuple[ReasonRow, ...]) -> tuple[ReasonRow, ...]:
    """The reason rows with the phrases of their ``[[wording]]`` blocks added (a block naming no
    reason of the vocabulary is a table error)."""
    extra: dict[str, list[str]] = {row.name: [] for row in rows}
    for block in wordings():
        if block.reason not in extra:
            raise TableError(f"wordings.toml: unknown reason {block.reason!r} ({block.language}: {block.source})")
        extra[block.reason].extend(block.phrases)
    return tuple(dataclasses.replace(row, phrases=row.phrases + tuple(extra[row.name])) for row in rows)


def _reason(row: ReasonRow) -> Reason:
    return Reason(
        name=row.name,
        description=row.description,
        code=row.code or None,
        suppress=row.suppress,
        suppress_when=any_of(row.suppress_when) if row.suppress_when else None,
        suppress_unless=any_of(row.suppress_unless) if row.suppress_unless else None,
        yields_to=frozenset(row.yields_to),
        holds_against=frozenset(row.holds_against),
        when_temporary=row.when_temporary or None,
        kind=row.kind,
        matcher=any_of(row.phrases) if row.phrases else None,
    )


def _guard(row: GuardRow) -> Guard:
    return Guard(
        reason=row.reason,
        becomes=row.becomes,
        commands=frozenset(c.upper() for c in row.commands),
        without_evidence=row.without_evidence,
        also_status=row.also_status,
        phrases=any_of(row.phrases) if row.phrases else None,
    )


def _csv(file: str, key: str) -> dict[str, str]:
    text = resources.files("dsnparse").joinpath("data", file).read_text(encoding="utf-8")
    return {row[key]: row["reason"] for row in csv.DictReader(io.StringIO(text))}


@lru_cache(maxsize=1)
def tables() -> ReasonTables:
    """The packaged reason tables (loaded once; immutable in use)."""
    reason_rows = _with_wordings(load_rows("reasons.toml", "reason", ReasonRow))
    ordered = tuple(_reason(row) for row in reason_rows)
    return ReasonTables(
        reasons={r.name: r for r in ordered},
        ordered=ordered,
        by_status=_csv("status_reasons.csv", "status"),
        by_reply=_csv("reply_reasons.csv", "reply_code"),
        guards=tuple(_guard(row) for row in load_rows("reasons.toml", "guard", GuardRow)),
        phrases=LabelledPhrases((row.name, row.phrases) for row in reason_rows),
    )


def vocabulary() -> dict[str, Reason]:
    """Every reason name with its description, canonical code and suppression rule."""
    return dict(tables().reasons)


def from_phrases(text: str) -> str | None:
    """The first reason (in table order) whose phrases occur in ``text``."""
    if not text:
        return None
    return tables().phrases.first(text)


def from_status(status: str | None) -> str | None:
    """The reason the status code alone implies (exact row, else its ``C.S`` row), if any."""
    if not status or is_generic(status):
        return None
    by_status = tables().by_status
    found = by_status.get(status)
    if found is None:
        found = by_status.get(status.rsplit(".", 1)[0])
    return found


def evidence(facts: Facts) -> str:
    """The text the phrase tables read: the diagnostic, and the reporting MTA's own comment on
    the failure (:attr:`Facts.comment`) when there is one."""
    return "\n".join(t for t in (facts.diagnostic, facts.comment) if t)


def smtp_command(facts: Facts) -> str | None:
    """The SMTP command the failure answered: the decoder's, else one the diagnostic names."""
    if facts.smtp_command:
        return facts.smtp_command.strip().upper() or None
    return answered(facts.diagnostic)


def _is_temporary(facts: Facts) -> bool:
    code = facts.status or facts.reply_code or ""
    return code[:1] == "4" or (not code and facts.action == "delayed")


def _local(facts: Facts) -> bool:
    """True when the diagnostic is the sending MTA's own verdict on a local delivery, not a remote
    server's SMTP reply: its type is the MTA's own (``X-Unix``, ``X-Postfix``...; RFC 3464 types an
    SMTP reply ``smtp``) and it quotes no reply code, or the reporting MTA is the recipient's own
    domain (:func:`_own_domain`). Sisimai skips the SMTP-stage probes for non-SMTP types
    (reasons.md 3.1) and reads local agents' texts in its LDA step (4.1)."""
    kind = (facts.diagnostic_type or "").lower()
    return (kind.startswith("x-") and not facts.reply_code) or _own_domain(facts)


def _own_domain(facts: Facts) -> bool:
    """True when the reporting MTA is (a host of) the recipient's domain: it delivers that domain
    itself, so its verdict on the address is a local lookup."""
    host = (facts.reporting_mta or "").lower().rstrip(".")
    domain = (facts.recipient or "").rpartition("@")[2].lower()
    return bool(host and domain) and (host == domain or host.endswith("." + domain))


def _weigh(facts: Facts, text: str, command: str | None) -> Decision | None:
    """Status code against phrases, then the guards."""
    by_status = from_status(facts.status)
    decision = _status_or_phrase(by_status, from_phrases(text))
    if decision is None:
        return None
    return _guarded(decision, facts, by_status, text, command) or decision


def _status_or_phrase(by_status: str | None, by_text: str | None) -> Decision | None:
    """The status code's reason, unless it yields to the phrases' (its ``yields_to``)."""
    if by_status and by_text and by_status != by_text:
        status_reason = tables().reasons.get(by_status)
        if status_reason is not None and status_reason.yields(by_text):
            return Decision(by_text, "phrase")
        return Decision(by_status, "status")
    if by_status:
        return Decision(by_status, "status")
    if by_text:
        return Decision(by_text, "phrase")
    return None


def _guarded(
    decision: Decision, facts: Facts, by_status: str | None, text: str, command: str | None
) -> Decision | None:
    """The reason a ``[[guard]]`` turns the decision into, when the SMTP session contradicts it."""
    from_text = decision.rule == "phrase" and by_status != decision.reason
    for guard in tables().guards:
        if guard.reason != decision.reason or not (from_text or guard.also_status):
            continue
        if guard.phrases is not None and not guard.phrases.search(text):
            continue
        no_evidence = command is None and by_status is None and not _local(facts)
        if command in guard.commands or (guard.without_evidence and no_evidence):
            return Decision(guard.becomes, f"guard:{command or 'no-evidence'}")
    return None


_FALLBACK_COMMAND = {"HELO": "blocked", "EHLO": "blocked", "CONN": "blocked"}
_SYNTAX_REPLY = re.compile(r"50[0-4]")


def explain(facts: Facts, *, recipient_domain: str | None = None) -> Decision:
    """The reason of a failed (or delayed) recipient's facts, with the rule that decided it."""
    return decide(facts, providers.identify(facts, recipient_domain))


def decide(facts: Facts, provider: providers.Provider | None) -> Decision:
    """:func:`explain` with the provider already identified for these facts (``None``: none is);
    a record asks for it once, for its reason and for its side."""
    decision = _explain(facts, provider)
    # an MTA that delivers the recipient's domain itself cannot fail to find that domain: its
    # "host unknown" (Exim's "Unrouteable address" for a local domain) is about the local part
    if decision.reason == "hostunknown" and _own_domain(facts):
        return Decision("userunknown", "guard:own-domain")
    return decision


def _explain(facts: Facts, provider: providers.Provider | None) -> Decision:
    t = tables()
    if facts.reason and facts.reason not in ("onhold", "undefined") and facts.reason in t.reasons:
        return Decision(facts.reason, "decoder")
    if provider is not None and (rule := provider.rule_for(facts)) is not None:
        return Decision(rule.reason, f"provider:{provider.name}", rule.own_reason)
    text = evidence(facts)
    command = smtp_command(facts)
    decision = _weigh(facts, text, command)
    if decision is not None:
        row = t.reasons.get(decision.reason)
        if row is not None and row.when_temporary and _is_temporary(facts):
            return Decision(row.when_temporary, decision.rule)
        return decision
    return _fallback(facts, text, command)


def _fallback(facts: Facts, text: str, command: str | None) -> Decision:
    """When neither status code nor phrases decide: the X-Unix, command, reply-code and delay
    fall-backs, else ``onhold`` (something to go on) or ``undefined`` (nothing)."""
    if (facts.diagnostic_type or "").lower().startswith("x-unix"):
        return Decision("mailererror", "fallback:x-unix")
    if is_generic(facts.status) and facts.reply_code:  # X.0.0 names nothing (reasons.md 3.2)
        if facts.reply_code in tables().by_reply:
            return Decision(tables().by_reply[facts.reply_code], "fallback:reply-code")
        if _SYNTAX_REPLY.fullmatch(facts.reply_code):
            return Decision("syntaxerror", "fallback:reply-code")
    # reasons.md 3.1 (Sisimai's second pass): Action delayed -> expired, else a failure at
    # CONN/EHLO/HELO -> blocked. A given-up message whose last reply is a bare 421 (RFC 5321 4.2.2:
    # "service not available, closing transmission channel", the greeting-stage refusal) failed
    # at CONN; one given up after retrying at another known stage, whose reply names nothing,
    # is expired: the queue's verdict is all there is. A final 4xx with no stage stays onhold.
    if facts.action == "delayed":
        return Decision("expired", "fallback:delayed")
    stage = command or ("CONN" if facts.reply_code == "421" and given_up(facts) else None)
    if stage in _FALLBACK_COMMAND:
        return Decision(_FALLBACK_COMMAND[stage], f"fallback:{stage}")
    if given_up(facts) and (facts.gave_up or command is not None):
        return Decision("expired", "fallback:delayed")
    if facts.status or facts.reply_code or text.strip():
        return Decision("onhold", "onhold")
    return Decision("undefined", "undefined")
