"""``IndexedMessage`` answers every header lookup exactly as ``email.message.Message`` does,
also after the headers are changed."""

from __future__ import annotations

import email
from email.message import Message
from email.policy import compat32

from hypothesis import given, settings
from hypothesis import strategies as st

from dsnparse.indexed import POLICY, IndexedMessage, simple_params

from .conftest import FIXTURES

NAMES = ("content-type", "Content-Type", "subject", "received", "from", "x-missing", "content-transfer-encoding",
         "mime-version", "to", "date")

RAW = (
    b"Received: from a.example.net by b.example.org\n"
    b"received: from c.example.net by a.example.net\n"
    b"From: MAILER-DAEMON@example.org\n"
    b"Subject: =?utf-8?q?Undeliverable?= \xe9t\xe9\n"
    b"Content-Type: multipart/report; report-type=delivery-status;\n"
    b'\tboundary="XYZ"; charset*=utf-8\'\'%E2%82%AC\n'
    b"\n--XYZ\nContent-Type: text/plain\n\nhello\n--XYZ\nContent-Type: message/delivery-status\n\n"
    b"Reporting-MTA: dns; b.example.org\n\nFinal-Recipient: rfc822; a@example.com\nAction: failed\n--XYZ--\n"
)


def _same(fast: Message, plain: Message) -> None:
    assert isinstance(fast, IndexedMessage)
    for name in NAMES:
        assert fast.get(name) == plain.get(name), name
        assert fast[name] == plain[name], name
        assert fast.get(name, "dflt") == plain.get(name, "dflt"), name
        assert fast.get_all(name) == plain.get_all(name), name
        assert fast.get_all(name, []) == plain.get_all(name, []), name
        assert (name in fast) == (name in plain), name
    assert fast.get_content_type() == plain.get_content_type()
    assert fast.get_content_maintype() == plain.get_content_maintype()
    assert fast.get_params() == plain.get_params()
    assert fast.get_params(header="x-missing") == plain.get_params(header="x-missing")
    for param in ("boundary", "charset", "report-type", "nothing"):
        assert fast.get_param(param) == plain.get_param(param), param
        assert fast.get_param(param, "dflt", unquote=False) == plain.get_param(param, "dflt", unquote=False), param
    assert fast.get_boundary() == plain.get_boundary()
    assert fast.get_content_charset() == plain.get_content_charset()
    fast_parts, plain_parts = list(fast.walk()), list(plain.walk())
    assert len(fast_parts) == len(plain_parts)
    if fast.is_multipart():
        for a, b in zip(fast_parts[1:], plain_parts[1:], strict=True):
            _same(a, b)  # type: ignore[arg-type]


def _pair(raw: bytes) -> tuple[Message, Message]:
    return email.message_from_bytes(raw, policy=POLICY), email.message_from_bytes(raw, policy=compat32)


def test_lookups_match_the_stdlib_on_every_fixture() -> None:
    raws = [RAW] + [p.read_bytes() for p in sorted(FIXTURES.rglob("*.eml"))]
    assert len(raws) > 3
    for raw in raws:
        _same(*_pair(raw))


def test_changes_are_seen_by_later_lookups() -> None:
    fast, plain = _pair(RAW)
    _same(fast, plain)  # fills the caches
    steps = [
        lambda m: m.set_param("charset", "iso-8859-1"),
        lambda m: m.del_param("report-type"),
        lambda m: m.replace_header("subject", "changed"),
        lambda m: m.__setitem__("X-Added", "1"),
        lambda m: m.add_header("Received", "from d.example.net", extra="x"),
        lambda m: m.__delitem__("received"),
        lambda m: m.set_boundary("NEW"),
        lambda m: m.set_type("text/plain"),
        lambda m: m.__delitem__("content-type"),
        lambda m: m.set_default_type("message/rfc822"),
        lambda m: m.set_raw("Content-Type", "text/html; charset=utf-8"),
    ]
    for step in steps:
        step(fast)
        step(plain)
        _same(fast, plain)


@settings(max_examples=3000, deadline=None, database=None)
@given(st.text(alphabet='ab;="\' \t<>\\*-/xX=%', max_size=40))
def test_simple_params_read_like_the_stdlib(value: str) -> None:
    """The fast parameter reader gives what ``Message._get_params_preserve`` gives, or declines."""
    fast = simple_params(value)
    if fast is not None:
        plain = Message()
        plain["Content-Type"] = value
        assert fast == plain._get_params_preserve(None, "content-type")  # type: ignore[attr-defined]


def test_simple_params_cover_the_usual_content_types() -> None:
    for value in ('multipart/report; report-type=delivery-status;\n\tboundary="9B095B5ADSN=_01D"',
                  "text/plain; charset=us-ascii", 'text/plain; charset="UTF-8"; format=flowed'):
        assert simple_params(value) is not None
    assert simple_params("text/plain; charset*=utf-8''%E2%82%AC") is None
