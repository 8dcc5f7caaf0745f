"""Input that used to defeat the reader reads like any other report (issue 11, cause 9).

A UTF-8 byte-order mark before the first header, raw UTF-8 in the fields of a
``message/global-delivery-status`` part (RFC 6533) whatever its transfer encoding, and raw UTF-8
in a header that a decoder reads (an SMTPUTF8 ``Received`` trace, which the stdlib hands back as
a ``Header`` object) change nothing in what is read. The properties run over every bundled
fixture; ``fixtures/reader/`` holds the hand-written cases.
"""

from __future__ import annotations

import base64
import email
import email.message
import quopri
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dsnparse
from dsnparse import ParseError, Report

from .conftest import FIXTURES

BOM = b"\xef\xbb\xbf"
EMLS = sorted(FIXTURES.rglob("*.eml"))
IDS = [str(p.relative_to(FIXTURES)) for p in EMLS]


def _records(report: Report) -> list[dict[str, object]]:
    return [{k: v for k, v in r.to_dict().items() if k != "source"} for r in report.records]


@pytest.mark.parametrize("path", EMLS, ids=IDS)
def test_a_byte_order_mark_changes_nothing(path: Path) -> None:
    raw = path.read_bytes().removeprefix(BOM)
    plain, marked = dsnparse.parse(raw), dsnparse.parse(BOM + raw)
    assert marked.kind is plain.kind
    assert _records(marked) == _records(plain)


def _with_utf8_received(raw: bytes) -> bytes:
    """``raw`` with an SMTPUTF8 Received trace (raw UTF-8) as its first header."""
    trace = (
        "Received: from relay.example.net by mx.example.org with UTF8SMTPS\n"
        "\tfor <zoë@example.org>; Mon, 16 Mar 2026 10:00:00 +0000\n"
    ).encode()
    if raw.startswith(b"From "):  # an mbox separator line stays first
        nl = raw.index(b"\n") + 1
        return raw[:nl] + trace + raw[nl:]
    return trace + raw


@pytest.mark.parametrize("as_message", [False, True], ids=["bytes", "Message"])
@pytest.mark.parametrize("path", EMLS, ids=IDS)
def test_a_utf8_received_trace_never_breaks_the_read(path: Path, as_message: bool) -> None:
    raw = path.read_bytes().removeprefix(BOM)
    traced = _with_utf8_received(raw)
    if as_message:  # the stdlib's own parse keeps the trace as a Header object
        assert _outcome(email.message_from_bytes(traced)) == _outcome(email.message_from_bytes(raw))
    else:
        assert _outcome(traced) == _outcome(raw)


def _outcome(message: bytes | email.message.Message) -> tuple[str, list[str | None]]:
    """The kind and recipients read, or the error raised (a Message handed in with a charset
    no codec honours raises ParseError with or without the trace)."""
    try:
        report = dsnparse.parse(message)
    except ParseError as exc:
        return type(exc).__name__, []
    return report.kind.value, [r.recipient for r in report.records]


_FIELDS = (
    "Reporting-MTA: dns; mx.example.net\n\n"
    "Final-Recipient: utf-8; {rcpt}\nAction: failed\nStatus: 5.2.2\n"
    "Diagnostic-Code: smtp; 552 5.2.2 {text}\n"
)
_REPORT = (
    "From: MAILER-DAEMON@mx.example.net\nTo: sender@example.org\nSubject: Undelivered Mail\n"
    "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n"
    "--B\nContent-Type: text/plain\n\nNot delivered.\n\n"
    "--B\nContent-Type: message/global-delivery-status\nContent-Transfer-Encoding: {cte}\n\n"
)
_LOCAL = st.text(alphabet="abcdeéüßñøçжщあいう中文한국", min_size=1, max_size=12)
_WORDS = st.text(alphabet="abc éüß жщ あい 中文 한국", min_size=0, max_size=40)


def _global_report(rcpt: str, text: str, cte: str) -> bytes:
    fields = _FIELDS.format(rcpt=rcpt, text=text).encode()
    if cte == "base64":
        fields = base64.encodebytes(fields)
    elif cte == "quoted-printable":
        fields = quopri.encodestring(fields)
    return _REPORT.format(cte=cte).encode() + fields + b"\n--B--\n"


@settings(max_examples=60, deadline=None)
@given(local=_LOCAL, text=_WORDS, cte=st.sampled_from(["8bit", "base64", "quoted-printable"]))
def test_global_delivery_status_fields_keep_their_utf8(local: str, text: str, cte: str) -> None:
    rcpt = f"{local}@example.com"
    report = dsnparse.parse(_global_report(rcpt, text, cte))
    assert [r.recipient for r in report.records] == [rcpt]
    record = report.records[0]
    assert record.status == "5.2.2"
    assert record.diagnostic == " ".join(f"552 5.2.2 {text}".split())
