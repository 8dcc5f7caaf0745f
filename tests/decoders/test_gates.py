"""Decoder gates: a closed gate means ``matches`` is false, so skipping the decoder changes nothing.

Each gate is written from its decoder's ``matches`` (what it cannot be true without); these tests
hold every message at hand to that: every fixture (and the shared corpus when present) that a
gated decoder matches opens its gate, and :func:`dsnparse.decoders.closed` agrees with the gates
one by one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dsnparse import core, decoders
from dsnparse.decoders import GATED, GATES, closed, gmail
from dsnparse.message import Mail, load

from ..conftest import CORPUS, FIXTURES
from ._samples import message

_FIXTURES = sorted(FIXTURES.rglob("*.eml"))
_CORPUS = sorted(CORPUS.rglob("*.eml")) if CORPUS.is_dir() else []


def _check(path: Path) -> None:
    mail = load(path.read_bytes())
    shut = closed(mail)
    assert shut == {d for d, gate in GATES.items() if not gate.open(mail)}
    for decoder in GATED:
        if decoder.matches(mail):
            assert decoder not in shut, f"{decoder.NAME} matches {path.name} behind its closed gate"


def test_some_decoders_declare_a_gate_and_every_gate_names_something() -> None:
    assert GATES
    assert set(GATES) == GATED
    for decoder, gate in GATES.items():
        assert gate.sender or gate.headers, decoder.NAME
        assert all(word == word.lower() for word in (*gate.sender, *gate.headers)), decoder.NAME


@pytest.mark.parametrize("path", _FIXTURES, ids=[str(p.relative_to(FIXTURES)) for p in _FIXTURES])
def test_no_fixture_matches_a_decoder_behind_its_closed_gate(path: Path) -> None:
    _check(path)


@pytest.mark.skipif(not _CORPUS, reason="shared corpus not present")
def test_no_corpus_message_matches_a_decoder_behind_its_closed_gate() -> None:
    for path in _CORPUS:
        _check(path)


def test_a_gate_opens_on_a_sender_word_or_a_header() -> None:
    google = load(message("From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nSubject: x", "Hi"))
    other = load(message("From: MAILER-DAEMON@mx.example.net\nSubject: x", "Hi"))
    yahoo_header = load(message("From: MAILER-DAEMON@mx.example.net\nX-YMailISG: abc\nSubject: x", "Hi"))
    assert gmail.GATE.open(google) and gmail not in closed(google)
    assert not gmail.GATE.open(other) and gmail in closed(other)
    yahoo = decoders.DECODERS[decoders.ORDER.index("yahoo")]
    assert yahoo not in closed(yahoo_header) and yahoo in closed(other)


def test_the_pipeline_does_not_ask_a_decoder_behind_a_closed_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    # Gmail's classic notice, sent by a daemon that is not Google's: gmail.matches is not called
    body = "Delivery to the following recipient failed permanently:\n\n     bob@example.org\n"
    headers = "From: MAILER-DAEMON@mx.example.net\nTo: amy@example.org\nSubject: Delivery Status Notification"
    raw = message(headers, body)
    asked: list[str] = []

    def spy(mail: Mail) -> bool:
        asked.append("gmail")
        return False

    monkeypatch.setattr(gmail, "matches", spy)
    core.parse(raw)
    assert asked == []
    google = raw.replace(b"MAILER-DAEMON@mx.example.net", b"mailer-daemon@googlemail.com")
    core.parse(google)
    assert asked == ["gmail"]
