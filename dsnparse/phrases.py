"""The packaged phrase tables (``data/phrases.toml``), loaded once and compiled to safe matchers."""

from __future__ import annotations

import array
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from re import _casefix  # type: ignore[attr-defined]  # the regex compiler's case-fix table
from typing import Any

import ahocorasick

from .rows import load_row


def any_of(phrases: Iterable[str]) -> re.Pattern[str]:
    """One case-insensitive matcher of literal phrases, linear-time (no repetition).

    It finds what an alternation of the phrases (longest first) with ``re.I`` finds: the leftmost
    occurrence, the longest phrase there. It is built as a trie (``fail(?:ed|ure)?``) whose first
    letters are case classes (``[fF]``) instead of using ``re.I`` on the whole: the regex engine
    then rejects a branch on its first character without a call, which makes large tables 3 to
    15 times faster.
    """
    return re.compile(_search_pattern(_trie((p, "") for p in phrases)))


class LabelledPhrases:
    """Ordered ``(label, phrases)`` tables: which labels have a phrase in a text, in one pass.

    ``first(text)`` is the first label in table order with a phrase in ``text``: what trying
    ``any_of(phrases).search(text)`` label after label gives, without a search per label. The
    text is mapped character for character onto the phrases' lower-case letters (each character
    that ``re.I`` equates with a letter becomes that letter; the length is kept; plain
    ``str.lower`` does it for ASCII text), and an Aho-Corasick automaton of the phrases
    (``pyahocorasick``, in C) reports every occurrence, overlapping ones included, in one pass.
    """

    def __init__(self, table: Iterable[tuple[str, Iterable[str]]]):
        self._rank: dict[str, int] = {}
        pairs: list[tuple[str, str]] = []
        for label, phrases in table:
            self._rank.setdefault(label, len(self._rank))
            pairs.extend((p, label) for p in phrases if p)
        self._fold = _fold_table({c for phrase, _ in pairs for c in phrase.lower()})
        self._each: list[tuple[str, re.Pattern[str]]] = []
        if self._fold is None:  # two letters share a case variant: search label by label
            self._each = [(label, any_of(p for p, lb in pairs if lb == label)) for label in self._rank]
        by_phrase: dict[str, set[str]] = {}
        for phrase, label in pairs:
            by_phrase.setdefault(phrase.lower(), set()).add(label)
        self._phrases = tuple(by_phrase)
        self._automaton: ahocorasick.Automaton | None = None
        if by_phrase:
            self._automaton = ahocorasick.Automaton()
            for phrase, labels in by_phrase.items():
                self._automaton.add_word(phrase, tuple(sorted(labels)))
            self._automaton.make_automaton()

    def labels(self, text: str) -> set[str]:
        """Every label with a phrase in ``text``."""
        if self._fold is None:
            return {label for label, matcher in self._each if matcher.search(text)}
        if self._automaton is None or not text:
            return set()
        return {label for _last, labels in self._automaton.iter(self._folded(text)) for label in labels}

    def _folded(self, text: str) -> str:
        """``text`` mapped onto the phrases' lower-case letters (only called with a fold table)."""
        # for ASCII text lower() is the fold: it changes only letters, each to the letter the
        # fold gives it (or, for letters no phrase holds, to another letter no phrase holds)
        if text.isascii():
            return text.lower()
        fixes = self._lower_fixes
        if fixes is not None and "\u03a3" not in text:  # (a capital sigma lowers by context)
            lowered = text.lower()
            if len(lowered) == len(text):  # no character became several: position for position
                for lower, letter in fixes:
                    if lower in lowered:
                        lowered = lowered.replace(lower, letter)
                return lowered
        return text.translate(self._fold or {})  # a dict lookup per character: ten times slower

    @cached_property
    def _lower_fixes(self) -> tuple[tuple[str, str], ...] | None:
        """How ``str.lower`` output is made to find what the fold finds on non-ASCII text: the
        characters to replace (``"\u017f"``, long s, lowers to itself but ``re.I`` equates it
        with ``s``) and their letters; None when replacing cannot do it (two characters that
        lower alike fold apart). Where the lower case and the fold of a character still differ,
        neither is a character of any phrase, so no phrase occurrence can tell them apart."""
        fold = self._fold or {}
        alphabet = {c for phrase in self._phrases for c in phrase}
        wanted: dict[str, str] = {}  # each lower case a character of the text can have -> its fold
        chars = {*_cased_chars(), *map(chr, fold)}
        for ch in chars | {c.lower() for c in chars}:  # lower cases too: replacing touches them
            lower = ch.lower()
            if len(lower) != 1 or ch == "\u03a3":
                continue  # such text is folded by the table (see _folded)
            letter = fold.get(ord(ch), ch)
            if lower == letter or (lower not in alphabet and letter not in alphabet):
                letter = lower  # the same occurrences either way
            if wanted.setdefault(lower, letter) != letter:
                return None
        return tuple((lower, letter) for lower, letter in sorted(wanted.items()) if lower != letter)

    def _hits(self, text: str) -> Iterator[tuple[str, int]]:
        """``(label, end)`` for every phrase occurrence in ``text``."""
        if self._automaton is None or not text or self._fold is None:
            return
        for last, labels in self._automaton.iter(self._folded(text)):
            for label in labels:
                yield label, last + 1

    def first(self, text: str) -> str | None:
        """The first label (in table order) with a phrase in ``text``, else None."""
        found = self.labels(text)
        return min(found, key=self._rank.__getitem__) if found else None

    def ends(self, text: str) -> dict[str, int] | None:
        """Where each label's earliest-ending phrase in ``text`` ends: the label has a phrase in
        ``text[:n]`` exactly when that end is at most ``n`` (a label without a phrase is absent).
        None when it cannot be told exactly as ``any_of`` matches - letters whose case variants
        do not fold one to one, or (checked once per table) a fold that misses a character
        ``re.I`` equates with a letter - and the caller should search."""
        if self._fold is None or not (self._ascii_exact if text.isascii() else self._unicode_exact):
            return None
        out: dict[str, int] = {}
        for label, end in self._hits(text):
            if end < out.get(label, end + 1):
                out[label] = end
        return out

    @cached_property
    def _ascii_exact(self) -> bool:
        """True when, on ASCII text, the fold equates with each letter exactly the characters
        ``re.I`` matches for it."""
        ascii_chars = "".join(map(chr, range(128)))
        return all(
            set(re.findall(re.escape(letter), ascii_chars, re.I)) == {v for v in _variants(letter) if v.isascii()}
            for letter in set((self._fold or {}).values())
        )

    @cached_property
    def _unicode_exact(self) -> bool:
        """True when the fold equates with each letter exactly the characters ``re.I`` matches
        for it in all of Unicode. Besides the letter itself ``re.I`` only matches cased
        characters and those of its case-fix table with it, so those are all tried."""
        cased = _cased_chars()
        return all(
            set(re.findall(re.escape(letter), cased, re.I)) | {letter} == set(_variants(letter))
            for letter in set((self._fold or {}).values())
        )


def _trie(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """A trie of lower-cased phrases; a node's ``""`` key holds the labels of phrases ending there."""
    trie: dict[str, Any] = {}
    for phrase, label in pairs:
        if not phrase:
            continue
        node = trie
        for ch in phrase.lower():
            node = node.setdefault(ch, {})
        node.setdefault("", set()).add(label)
    return trie


def _fold_table(letters: set[str]) -> dict[int, str] | None:
    """``str.translate`` table taking every case variant of these letters to the letter; None
    when two letters share a variant (the mapping would not be one to one)."""
    table: dict[int, str] = {}
    for ch in letters:
        for variant in _variants(ch):
            if table.setdefault(ord(variant), ch) != ch:
                return None
    return table


# Characters that ``re.I`` folds onto an ASCII or Latin letter besides its plain other case.
_EXTRA_FOLDS = "\u0130\u0131\u017f\u212a\u212b\u2126\u1e9e\u03c2\u03d0\u03d1\u03d5\u03d6\u03f0\u03f1\u03f5"
# The pairs ``re.I`` equates beyond their simple lower case (the regex compiler's own case-fix
# table: "\u0432" and "\u1c80", Cyrillic ve and rounded ve, for one).
_CASE_FIXES = "".join(chr(c) for key, fixes in _casefix._EXTRA_CASES.items() for c in (key, *fixes))


@lru_cache(maxsize=4096)
def _variants(ch: str) -> tuple[str, ...]:
    """The characters ``re.I`` matches for ``ch``."""
    same = re.compile(re.escape(ch), re.I)
    candidates = {ch, ch.lower(), ch.upper(), ch.title(), ch.swapcase(), *_EXTRA_FOLDS, *_CASE_FIXES}
    return tuple(sorted(v for v in candidates if len(v) == 1 and same.fullmatch(v)))


@lru_cache(maxsize=1)
def _cased_chars() -> str:
    """Every character with a case (or in the case-fix table): the only ones ``re.I`` can match
    for a letter other than the letter itself (built once, on the first non-ASCII text)."""
    every = _every_code_point()
    blocks = (every[start : start + 256] for start in range(0, len(every), 256))
    # a block holds a cased character exactly when the block itself changes case; most do not
    return "".join(c for block in blocks if _has_case(block) for c in block if _has_case(c)) + _CASE_FIXES


def _has_case(text: str) -> bool:
    """True when lower- or upper-casing changes ``text``."""
    return text.lower() != text or text.upper() != text


def _every_code_point() -> str:
    """U+0000 to U+10FFFF in order, lone surrogates included, decoded in C from native-order
    UTF-32 behind a byte-order mark (a ``chr`` per code point takes ten times as long). Type
    code ``I`` is a C unsigned int, 32 bits wide on every platform CPython runs on."""
    codes = array.array("I", [0xFEFF])
    codes.extend(range(0x110000))
    return codes.tobytes().decode("utf-32", "surrogatepass")


def _char_class(ch: str) -> str:
    """A pattern for one character matching what ``re.I`` would match for it."""
    hits = _variants(ch)
    if len(hits) == 1:
        return re.escape(hits[0])
    return "[" + "".join(re.escape(v) for v in hits) + "]"


def _search_pattern(trie: dict[str, Any]) -> str:
    """The trie as a regex led by a class of the phrases' first characters: a position where no
    phrase starts fails on one test instead of one per first letter. Each first letter is an
    ``re.I`` case class (``[fF]``, which the engine tests without a call) and the rest of its
    branch is matched under a scoped ``(?i:...)``: case-insensitive like ``re.I``, and cheap to
    compile (a class per letter makes large tables slow to compile)."""
    firsts = sorted({v for ch in trie if ch for v in _variants(ch)})
    if not firsts:
        return r"(?!)"
    branches = []
    for ch, sub in sorted(trie.items(), key=_key):
        if ch:
            rest = _trie_pattern(sub, re.escape)
            branches.append(_char_class(ch) + (f"(?i:{rest})" if rest else ""))
    return "(?=[" + "".join(re.escape(v) for v in firsts) + "])(?:" + "|".join(branches) + ")"


def _trie_pattern(node: dict[str, Any], letter: Callable[[str], str]) -> str:
    branches = [letter(ch) + _trie_pattern(sub, letter) for ch, sub in sorted(node.items(), key=_key) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


def _key(item: tuple[str, Any]) -> str:
    return item[0]


@dataclass(frozen=True, slots=True)
class PhraseRows:
    """``data/phrases.toml`` as written: each key a list of literal phrases."""

    bounce_subjects: tuple[str, ...] = ()
    bounce_senders: tuple[str, ...] = ()
    failure_phrases: tuple[str, ...] = ()
    original_markers: tuple[str, ...] = ()
    forward_prefixes: tuple[str, ...] = ()
    sender_labels: tuple[str, ...] = ()
    contact_phrases: tuple[str, ...] = ()
    recipient_leads: tuple[str, ...] = ()
    recipient_labels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PhraseTables:
    """Compiled phrase tables."""

    bounce_subject: re.Pattern[str]
    bounce_sender: re.Pattern[str]
    failure: re.Pattern[str]
    original_marker: re.Pattern[str]
    forward_prefixes: tuple[str, ...]
    sender_labels: tuple[str, ...]
    """Labels that name a sender on a report line (``from:``, ``mail from:``), lower-cased."""
    contact: re.Pattern[str]
    """Contact sentences ("please contact ...") whose addresses are never failed recipients."""
    recipient_lead: re.Pattern[str]
    """Sentences announcing a list of failed recipients ("the following address failed:")."""
    recipient_labels: tuple[str, ...]
    """Line labels of a failed recipient ("intended recipient:"), lower-cased."""


@dataclass(frozen=True, slots=True)
class SignalBlock:
    """One ``[[challenge]]`` or ``[[feedback]]`` block of ``lookalikes.toml``: its source and
    literal phrases of the subject and of the text."""

    source: str
    subjects: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LookalikeRows:
    """``data/lookalikes.toml``: wording of messages that look like bounces and are not."""

    forward_markers: tuple[str, ...] = ()
    challenge: tuple[SignalBlock, ...] = ()
    feedback: tuple[SignalBlock, ...] = ()


def lookalike_rows() -> LookalikeRows:
    """``data/lookalikes.toml`` read through the one table loader."""
    return load_row("lookalikes.toml", LookalikeRows)


@dataclass(frozen=True, slots=True)
class Signals:
    """A look-alike's wording compiled: phrases of its subject, phrases of its text."""

    subjects: re.Pattern[str]
    phrases: re.Pattern[str]

    def found(self, subject: str, text: str) -> bool:
        """True when the subject or the text holds one of the phrases."""
        return bool(self.subjects.search(subject) or self.phrases.search(text))


@lru_cache(maxsize=4)
def lookalike_signals(kind: str) -> Signals:
    """The blocks of one look-alike kind (``challenge`` or ``feedback``), compiled."""
    blocks: tuple[SignalBlock, ...] = getattr(lookalike_rows(), kind)
    return Signals(
        subjects=any_of(p for b in blocks for p in b.subjects),
        phrases=any_of(p for b in blocks for p in b.phrases),
    )


@lru_cache(maxsize=1)
def tables() -> PhraseTables:
    """The default phrase tables (loaded and compiled once; immutable)."""
    rows = load_row("phrases.toml", PhraseRows)
    return PhraseTables(
        bounce_subject=any_of(rows.bounce_subjects),
        bounce_sender=any_of(rows.bounce_senders),
        failure=any_of(rows.failure_phrases),
        original_marker=any_of(rows.original_markers),
        forward_prefixes=tuple(p.lower() for p in rows.forward_prefixes),
        sender_labels=tuple(p.lower() for p in rows.sender_labels),
        contact=any_of(rows.contact_phrases),
        recipient_lead=any_of(rows.recipient_leads),
        recipient_labels=tuple(p.lower() for p in rows.recipient_labels),
    )


def is_daemon(address: str) -> bool:
    """True when an address (or display name) belongs to a daemon: its local part holds one of
    the ``bounce_senders`` phrases (MAILER-DAEMON, postmaster, Mail Delivery System...)."""
    return bool(tables().bounce_sender.search(address.split("@", 1)[0]))


def cut_original(text: str) -> str:
    """Text before the first line that announces a quoted original message."""
    m = tables().original_marker.search(text)
    if not m:
        return text
    return text[: text.rfind("\n", 0, m.start()) + 1]
