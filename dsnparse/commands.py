"""Which SMTP command a reply answered: one table (``data/smtp_commands.toml``), one reader.

:func:`answered` tries the table's steps in one precedence (:data:`STEPS`), and the first step
that names a command gives it:

1. ``sentence``: an MTA's narration, a lead (``in reply to``, ``after``, ``>>>``, ``while
   sending``...) then a command word; the last one named wins, because an MTA narrates the
   session in order and the last command is the one the failure answered. A greeting refused
   (Postfix's "refused to talk to me") is ``CONN``.
2. ``phrase``: a provider's literal phrase (``after end of data``, ``[MAIL_FROM]``); the first
   in the text wins.
3. ``hint``: weaker wording (``recipient address rejected``); the first command in table order.

The classifier asks all three steps. A decoder asks for the steps its format's wording uses
(Exim, Postfix, Sendmail and OpenSMTPD narrate: ``sentence``; providers' replies: ``phrase``), so
that a record's ``smtp_command`` says what the report itself said. Asking every decoder for all
steps would fill ``smtp_command`` in 12 corpus and 6 fixture records where the report's own
wording names none (measured when the readers were unified), so the steps stay selectable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from .phrases import LabelledPhrases, any_of
from .rows import load_rows

Step = Literal["sentence", "phrase", "hint"]
STEPS: tuple[Step, ...] = ("sentence", "phrase", "hint")
"""The precedence of :func:`answered`."""


@dataclass(frozen=True, slots=True)
class WordRow:
    """A word (or phrase) of the table and the command it names."""

    word: str
    command: str


@dataclass(frozen=True, slots=True)
class HintRow:
    """A command and the weaker phrases that suggest it (``[hints]``)."""

    command: str
    phrases: tuple[str, ...]


_FILE = "smtp_commands.toml"
_SENTENCE_WORDS = load_rows(_FILE, "sentence", WordRow)
# "... in reply to RCPT TO command", "after MAIL FROM:<a@b>", ">>> DATA", "after end of data": a
# lead, then up to 4 blanks, then a word of [sentence] (alternatives in table order, longer first)
SENTENCE = re.compile(
    r"(?i)(?:\bin reply to|\bafter(?: pipelined)?|^>>>|\bwhile sending|\bwhile receiving the initial server|"
    r"\bwhile performing the)[ \t]{1,4}(" + "|".join(re.escape(r.word) for r in _SENTENCE_WORDS) + r")\b",
    re.M,
)
_LEADS = ("in reply to", "after", ">>>", "while sending", "while receiving", "while performing")
"""What :data:`SENTENCE` cannot match without (lower-cased): a text without any is not searched."""
_REFUSED_GREETING = "refused to talk to me"


def answered(text: str | None, steps: Sequence[Step] = STEPS) -> str | None:
    """The SMTP command a reply answered, by the first of ``steps`` that names one, else None."""
    if not text:
        return None
    for step in steps:
        found = _READERS[step](text)
        if found is not None:
            return found
    return None


def transcript_verb(verb: str) -> str | None:
    """The command of a ``>>> VERB`` transcript line's verb (``[transcript]``), else None."""
    return _tables().verbs.get(verb.lower())


@dataclass(frozen=True, slots=True)
class _Tables:
    words: dict[str, str]
    phrase: re.Pattern[str]
    phrases: dict[str, str]
    hints: LabelledPhrases
    verbs: dict[str, str]


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    phrases = {r.word.lower(): r.command for r in load_rows(_FILE, "phrases", WordRow)}
    return _Tables(
        words={r.word: r.command for r in _SENTENCE_WORDS},
        phrase=any_of(list(phrases)),
        phrases=phrases,
        hints=LabelledPhrases((r.command.upper(), r.phrases) for r in load_rows(_FILE, "hints", HintRow)),
        verbs={r.word: r.command for r in load_rows(_FILE, "transcript", WordRow)},
    )


def _in_sentence(text: str) -> str | None:
    if text.isascii():  # (re.I folds some non-ASCII letters that str.lower does not)
        lowered = text.lower()
        if not any(lead in lowered for lead in _LEADS):
            return "CONN" if _REFUSED_GREETING in lowered else None
    found = None
    for m in SENTENCE.finditer(text):
        found = m.group(1).lower()
    if found is None:
        return "CONN" if _REFUSED_GREETING in text.lower() else None
    return _tables().words[found]


def _in_phrase(text: str) -> str | None:
    t = _tables()
    m = t.phrase.search(text)
    return t.phrases.get(m.group(0).lower()) if m else None


def _in_hint(text: str) -> str | None:
    return _tables().hints.first(text)


_READERS = {"sentence": _in_sentence, "phrase": _in_phrase, "hint": _in_hint}
