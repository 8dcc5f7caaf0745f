"""Look-alikes taken for failures (issue 11, cause 8), driven by the rows of ``lookalikes.toml``.

Every challenge-response or whitelist wording makes an ordinary message an auto-reply; every
feedback-loop wording makes a message that attaches the reported mail a complaint; neither
wording turns a mail daemon's non-delivery report into something else.
"""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from dsnparse import Kind, parse

_DATA = tomllib.loads(resources.files("dsnparse").joinpath("data", "lookalikes.toml").read_text(encoding="utf-8"))


def _rows(kind: str, key: str) -> list[str]:
    return [str(p) for block in _DATA[kind] for p in block.get(key, [])]


CHALLENGE_TEXT = _rows("challenge", "phrases")
CHALLENGE_SUBJECTS = _rows("challenge", "subjects")
FEEDBACK_TEXT = _rows("feedback", "phrases")
FEEDBACK_SUBJECTS = _rows("feedback", "subjects")

_PERSON = (
    "From: Alex Example <alex@example.com>\nTo: news@example.org\nSubject: {subject}\n"
    "Date: Wed, 18 Mar 2026 10:00:00 +0000\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
    "Hello,\n\nYour message reached my filter. {text}\n\nThank you.\n"
)
_FEEDBACK = (
    "From: Reports <reports@fbl.example.net>\nTo: postmaster@example.org\nSubject: {subject}\n"
    "Date: Thu, 19 Mar 2026 07:00:00 +0000\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"f\"\n\n"
    "--f\nContent-Type: text/plain; charset=utf-8\n\nA note from our service. {text}\n\n"
    "--f\nContent-Type: message/rfc822\n\nFrom: shop@example.org\nTo: noor@example.net\nSubject: Offers\n"
    "Message-ID: <offers-1@example.org>\n\nOffers.\n\n--f--\n"
)
_DAEMON = (
    "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\nTo: shop@example.org\n"
    "Subject: Undelivered Mail Returned to Sender\nDate: Thu, 19 Mar 2026 08:00:00 +0000\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"d\"\n\n--d\nContent-Type: text/plain; charset=utf-8\n\n"
    "<omar@example.net>: host mx.example.net said: 550 5.1.1 user unknown. {text}\n\n"
    "--d\nContent-Type: message/rfc822\n\nFrom: shop@example.org\nTo: omar@example.net\nSubject: Offers\n\n"
    "Offers.\n\n--d--\n"
)


def _mail(template: str, subject: str = "Hello", text: str = "") -> bytes:
    return template.format(subject=subject, text=text).encode()


def test_every_block_names_its_source_and_no_phrase_is_too_short() -> None:
    for kind in ("challenge", "feedback"):
        for block in _DATA[kind]:
            assert str(block["source"]).strip()
            assert set(block) <= {"source", "subjects", "phrases"}
            for phrase in (*block.get("subjects", []), *block.get("phrases", [])):
                assert len(phrase) >= 7 and phrase == phrase.lower(), phrase


def test_the_templates_alone_are_not_look_alikes() -> None:
    assert parse(_mail(_PERSON)).kind is Kind.NOT_BOUNCE
    assert parse(_mail(_FEEDBACK)).kind is Kind.NOT_BOUNCE
    assert parse(_mail(_DAEMON)).kind is Kind.FAILURE


@pytest.mark.parametrize("phrase", CHALLENGE_TEXT)
def test_a_challenge_sentence_makes_an_autoreply(phrase: str) -> None:
    report = parse(_mail(_PERSON, text=phrase.capitalize() + "."))
    assert report.kind is Kind.AUTOREPLY
    assert [r.reason for r in report.records] == ["vacation"]
    assert [r.recipient for r in report.records] == ["alex@example.com"]


@pytest.mark.parametrize("phrase", CHALLENGE_SUBJECTS)
def test_a_challenge_subject_makes_an_autoreply(phrase: str) -> None:
    assert parse(_mail(_PERSON, subject=phrase.title())).kind is Kind.AUTOREPLY


@pytest.mark.parametrize("phrase", FEEDBACK_TEXT)
def test_a_feedback_sentence_makes_a_complaint(phrase: str) -> None:
    report = parse(_mail(_FEEDBACK, text=phrase.capitalize() + "."))
    assert report.kind is Kind.COMPLAINT
    assert [(r.recipient, r.reason) for r in report.records] == [("noor@example.net", "feedback")]


@pytest.mark.parametrize("phrase", FEEDBACK_SUBJECTS)
def test_a_feedback_subject_makes_a_complaint(phrase: str) -> None:
    assert parse(_mail(_FEEDBACK, subject=phrase.title() + " 192.0.2.1")).kind is Kind.COMPLAINT


@pytest.mark.parametrize("phrase", CHALLENGE_TEXT + FEEDBACK_TEXT)
def test_no_look_alike_wording_hides_a_daemons_failure(phrase: str) -> None:
    report = parse(_mail(_DAEMON, text=phrase.capitalize() + "."))
    assert report.kind is Kind.FAILURE
    assert [r.recipient for r in report.records] == ["omar@example.net"]
