"""Property tests: hostile and broken input never crashes, hangs or escapes ``parse``'s contract.

For every input, :func:`dsnparse.parse` returns a :class:`dsnparse.Report` whose records
serialise, or raises a :class:`dsnparse.DsnparseError`, within :data:`SECONDS_PER_INPUT`
(a ``SIGALRM`` watchdog fails the test on a hang instead of timing anything). Inputs are
arbitrary bytes and mutations of the bundled fixtures: truncation, flipped bytes, wrong or
missing MIME boundaries, deep nesting, 8-bit and NUL bytes in headers, lying charsets, invalid
base64 and quoted-printable, huge header lines, huge part counts and empty input.

The number of inputs tried is printed at the end of the run. For a longer hunt, scale the
property tests and tighten the watchdog from the environment:
``DSNPARSE_ROBUSTNESS_EXAMPLES=20000 DSNPARSE_SECONDS_PER_INPUT=2 pytest tests/test_robustness.py -k
"arbitrary or mutat"`` (the size extremes take longer than two seconds by design).
"""

from __future__ import annotations

import base64
import email
import io
import json
import os
import re
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.policy import compat32
from types import FrameType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dsnparse
from dsnparse import DsnparseError, InputError, Report
from dsnparse.io.sinks import CsvSink, TableSink

from . import hostile
from .conftest import FIXTURES

SECONDS_PER_INPUT = int(os.environ.get("DSNPARSE_SECONDS_PER_INPUT", "20"))
"""Generous wall-clock bound for one parse (the largest inputs here take well under a second)."""
EXAMPLES = int(os.environ.get("DSNPARSE_ROBUSTNESS_EXAMPLES", "1500"))
"""Inputs per property test (the per-mutation tests run a seventh of it)."""

SAMPLES = sorted(p for p in FIXTURES.rglob("*.eml"))
MIDSIZE = sorted((p for p in SAMPLES if 1500 <= p.stat().st_size <= 4000), key=lambda p: p.stat().st_size)
COUNT = {"inputs": 0}

PROPERTY = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


class Hang(Exception):
    """The watchdog fired: parse did not return in time."""


def _alarm(_signum: int, _frame: FrameType | None) -> None:
    raise Hang(f"parse took more than {SECONDS_PER_INPUT} s")


@contextmanager
def watchdog(seconds: int = SECONDS_PER_INPUT) -> Iterator[None]:
    """Fail (with :class:`Hang`) if the block runs longer than ``seconds``."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def check(message: object, **kwargs: object) -> Report | None:
    """The contract: a Report whose records render everywhere, or a dsnparse error."""
    COUNT["inputs"] += 1
    with watchdog():
        try:
            report = dsnparse.parse(message, **kwargs)  # type: ignore[arg-type]
        except DsnparseError:
            return None
        assert isinstance(report, Report)
        out = io.StringIO()
        csv_sink, table_sink = CsvSink(out), TableSink(out)
        for record in report.records:
            row = record.to_dict()
            json.dumps(row, ensure_ascii=False)
            csv_sink.write(row)
            table_sink.write(row)
        table_sink.close()
        return report


@pytest.fixture(scope="module", autouse=True)
def _report_count(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\ntest_robustness: {COUNT['inputs']} inputs given to dsnparse.parse")


def test_samples_exist() -> None:
    assert len(MIDSIZE) >= 4


# -- arbitrary input ---------------------------------------------------------------------------


@PROPERTY
@given(st.binary(max_size=4000))
def test_arbitrary_bytes(raw: bytes) -> None:
    check(raw)


@PROPERTY
@given(st.text(max_size=2000))
def test_arbitrary_text(text: str) -> None:
    check(text)


_HEADERISH = st.lists(
    st.tuples(
        st.sampled_from(["From", "To", "Subject", "Content-Type", "Content-Transfer-Encoding", "X-Failed-Recipients",
                         "Final-Recipient", "Status", "Action", "Diagnostic-Code", "Received", "Auto-Submitted"]),
        st.binary(max_size=200),
    ),
    max_size=12,
)


@PROPERTY
@given(_HEADERISH, st.binary(max_size=2000))
def test_arbitrary_headers_and_body(headers: list[tuple[str, bytes]], body: bytes) -> None:
    check(b"".join(name.encode() + b": " + value + b"\n" for name, value in headers) + b"\n" + body)


@pytest.mark.parametrize("raw", [b"", b"\n", b"\r\n\r\n", b" ", b"\x00", b"--", b":", b"From:", b"\xff" * 10])
def test_degenerate_input(raw: bytes) -> None:
    report = check(raw)
    assert report is not None and report.kind is dsnparse.Kind.NOT_BOUNCE


@pytest.mark.parametrize("value", [None, 42, 3.5, ["a"], {"a": 1}, object()])
def test_wrong_types_raise_input_error(value: object) -> None:
    COUNT["inputs"] += 1
    with pytest.raises(InputError):
        dsnparse.parse(value)  # type: ignore[arg-type]


def test_every_input_type_gives_the_same_report() -> None:
    raw = hostile.bounce(2)
    as_bytes = check(raw)
    assert as_bytes is not None
    for variant in (bytearray(raw), memoryview(raw), raw.decode(), io.BytesIO(raw),
                    email.message_from_bytes(raw, policy=compat32)):
        report = check(variant)
        assert report is not None and report.records == as_bytes.records


# -- mutations of real-looking bounces ---------------------------------------------------------

Mutation = Callable[[bytes, st.DataObject], bytes]


def _truncate(raw: bytes, data: st.DataObject) -> bytes:
    return raw[: data.draw(st.integers(0, len(raw)), label="cut")]


def _flip(raw: bytes, data: st.DataObject) -> bytes:
    out = bytearray(raw)
    for _ in range(data.draw(st.integers(1, 8), label="flips")):
        if out:
            i = data.draw(st.integers(0, len(out) - 1))
            out[i] = data.draw(st.integers(0, 255))
    return bytes(out)


def _splice(raw: bytes, data: st.DataObject) -> bytes:
    i = data.draw(st.integers(0, len(raw)))
    junk = data.draw(st.binary(max_size=64) | st.sampled_from(
        [b"\x00", b"\r", b"\n\n", b"\n--", b"=?", b"?=", b"=\n", b"=ZZ", b"\xc3", b"\x1b$B", b"\xfe\xff", b":"]))
    return raw[:i] + junk + raw[i:]


_BOUNDARY = re.compile(rb'boundary="?([^";\s]{1,100})"?', re.I)


def _break_boundaries(raw: bytes, data: st.DataObject) -> bytes:
    found = _BOUNDARY.findall(raw)
    if not found:
        return raw
    b = data.draw(st.sampled_from(found))
    how = data.draw(st.sampled_from(["rename-declared", "drop-close", "drop-all", "drop-param", "empty", "duplicate"]))
    if how == "rename-declared":
        return raw.replace(b"boundary=\"" + b + b"\"", b'boundary="other"').replace(b"boundary=" + b, b"boundary=other")
    if how == "drop-close":
        return raw.replace(b"--" + b + b"--", b"")
    if how == "drop-all":
        return raw.replace(b"--" + b, b"")
    if how == "drop-param":
        return _BOUNDARY.sub(b"", raw, count=1)
    if how == "empty":
        return raw.replace(b + b'"', b'"').replace(b"boundary=" + b, b"boundary=")
    return raw.replace(b"--" + b + b"\n", b"--" + b + b"\n--" + b + b"\n", 3)


_HEADER_JUNK = [b"\x00", b"\xff", b"\x80", b"\xc3", b"\x1c", b"\x1d", b"\x1e", b"\x0b", b"\x0c", b"\x85",
                b"\xe2\x80\xa8", b"\xef\xbb\xbf", b"x: y", b"\t", b"=?", b";"]
"""8-bit, NUL and the separators ``str.splitlines`` breaks on (a value holding them can look like
two headers to the stdlib)."""


def _header_bytes(raw: bytes, data: st.DataObject) -> bytes:
    head, sep, body = raw.partition(b"\n\n")
    lines = head.split(b"\n")
    i = data.draw(st.integers(0, max(len(lines) - 1, 0)))
    junk = b"".join(data.draw(st.lists(st.sampled_from(_HEADER_JUNK), min_size=1, max_size=6)))
    lines[i] = lines[i] + junk
    return b"\n".join(lines) + sep + body


_CHARSETS = ["undefined", "idna", "punycode", "base64", "hex", "zlib_codec", "rot13", "utf-16", "utf-32", "utf-7",
             "iso-2022-jp", "shift_jis", "x-unknown", "", '"', "utf-8'en'", "no-such-charset", "cp1252", "big5"]


def _lying_charset(raw: bytes, data: st.DataObject) -> bytes:
    cs = data.draw(st.sampled_from(_CHARSETS)).encode()
    star = data.draw(st.booleans())
    out = re.sub(rb"(?i)charset=\"?[^\";\s]{0,40}\"?", (b"charset*=" + cs + b"''x") if star else b"charset=" + cs, raw)
    out = re.sub(rb"(?i)=\?[^?\s]{1,40}\?([bq])\?", b"=?" + cs + rb"?\1?", out)
    if out == raw:
        out = raw.replace(b"Content-Type: text/plain", b"Content-Type: text/plain; charset=" + cs, 1)
    return out


def _bad_encoding(raw: bytes, data: st.DataObject) -> bytes:
    cte = data.draw(st.sampled_from([b"base64", b"quoted-printable", b"x-uuencode", b"7bit", b"binary", b"b\x00se64"]))
    out = re.sub(rb"(?im)^(content-type:[^\n]{0,200}\n)", rb"\1Content-Transfer-Encoding: " + cte + b"\n", raw)
    return out.replace(b"\n\n", data.draw(st.sampled_from([b"\n\n=ZZ=\n", b"\n\n!!!!====", b"\n\n\xff\xfe=", b"\n\n"])))


def _wrap(raw: bytes, data: st.DataObject) -> bytes:
    depth = data.draw(st.integers(1, 40))
    if data.draw(st.booleans()):
        return hostile.HEAD + b"Subject: Returned mail\n" + b"Content-Type: message/rfc822\n\n" * depth + raw
    opening = b"".join(b'Content-Type: multipart/mixed; boundary="w%d"\n\n--w%d\n' % (i, i) for i in range(depth))
    return hostile.HEAD + b"Subject: Returned mail\n" + opening + raw


def _crlf(raw: bytes, data: st.DataObject) -> bytes:
    return raw.replace(b"\n", data.draw(st.sampled_from([b"\r\n", b"\r", b"\n\r", b"\r\r\n"])))


MUTATIONS: dict[str, Mutation] = {
    "truncate": _truncate, "flip": _flip, "splice": _splice, "boundaries": _break_boundaries,
    "header-bytes": _header_bytes, "charset": _lying_charset, "encoding": _bad_encoding, "wrap": _wrap,
    "line-endings": _crlf,
}


@PROPERTY
@given(st.data())
def test_mutated_fixtures(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(SAMPLES), label="fixture")
    raw = path.read_bytes()
    for name in data.draw(st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1, max_size=4), label="mutations"):
        raw = MUTATIONS[name](raw, data)
    check(raw)


@pytest.mark.parametrize("name", sorted(MUTATIONS))
@settings(max_examples=max(EXAMPLES // 7, 1), deadline=None, suppress_health_check=[HealthCheck.too_slow],
          database=None)
@given(data=st.data())
def test_each_mutation(name: str, data: st.DataObject) -> None:
    raw = data.draw(st.sampled_from(SAMPLES), label="fixture").read_bytes()
    check(MUTATIONS[name](raw, data))


def test_truncation_at_every_point() -> None:
    """Every prefix of a few fixtures (a bounce cut off by a full disk or a dropped link)."""
    for path in MIDSIZE[::10][:3]:
        raw = path.read_bytes()
        for cut in range(len(raw) + 1):
            check(raw[:cut])


def test_base64_and_qp_garbage_in_every_part() -> None:
    raw = hostile.bounce(2)
    garbage = [b"Content-Transfer-Encoding: base64\n\n" + b"!@#$" * 50, b"Content-Transfer-Encoding: base64\n\n===",
               b"Content-Transfer-Encoding: base64\n\nQUJD" + base64.b64encode(b"\xff\xfe\x00") + b"=A",
               b"Content-Transfer-Encoding: quoted-printable\n\n=\n=Z=0=\xff\n" * 20]
    for junk in garbage:
        report = check(raw.replace(b"Content-Type: text/plain\n\n", b"Content-Type: text/plain\n" + junk + b"\n"))
        assert report is not None and report.records


# -- size and structure extremes ---------------------------------------------------------------


@pytest.mark.parametrize("depth", [100, 1000, 5000])
def test_deep_nesting(depth: int) -> None:
    report = check(hostile.nested_multipart(depth))
    assert report is not None and "limit:depth" in report.defects
    # messages attached inside the returned message stay text: nothing deep is parsed
    report = check(hostile.nested_messages(depth))
    assert report is not None and "limit:depth" not in report.defects


def test_hundred_thousand_parts() -> None:
    raw = hostile.many_parts(100_000)
    for limits in (None, dsnparse.Limits(max_message_bytes=len(raw))):
        report = check(raw, limits=limits)
        assert report is not None and "limit:parts" in report.defects


def test_one_megabyte_header_lines() -> None:
    line = b"X-Junk: " + b"a" * 1_000_000 + b"\n"
    for raw in (line + hostile.bounce(), hostile.bounce().replace(b"\n\n", b"\n" + line + b"\n", 1),
                hostile.long_header(1_000_000), b"Subject: " + b"=?utf-8?b?QUJD?= " * 60_000 + b"\n\nbody"):
        assert check(raw, limits=dsnparse.Limits(max_message_bytes=len(raw))) is not None


def test_huge_single_line_body() -> None:
    body = b"<user@example.org>: 550 5.1.1 " + b"x@y " * 250_000
    assert check(hostile.HEAD + b"Subject: Undelivered Mail\n\n" + body) is not None


def test_many_recipients_free_form() -> None:
    report = check(hostile.plain_failures(20_000), limits=dsnparse.Limits(max_message_bytes=10_000_000))
    assert report is not None and report.records


def test_nul_and_8bit_everywhere() -> None:
    raw = hostile.bounce(3)
    for junk in (b"\x00", b"\xff", b"\x80\x00\xfe", b"\x1b[2J"):
        mangled = raw.replace(b": ", b":" + junk + b" ").replace(b"@", junk + b"@")
        assert check(mangled) is not None


def test_many_candidate_quoted_header_blocks() -> None:
    """A body of header-like lines that never form a quoted header block (each candidate was
    once scanned to the end of the text: 35 s for 256 KB)."""
    body = b"Received: by relay.example.net\nthis line is no header\n" * 5000
    report = check(hostile.HEAD + b"Subject: Undelivered Mail Returned to Sender\n\n" + body)
    assert report is not None


def test_many_unclosed_script_tags() -> None:
    """An HTML-only notice of unclosed <script> tags (a lazy match to the close tag was quadratic)."""
    html = b"<html><body>Delivery to <b>gone@example.org</b> failed: 550 5.1.1 user unknown" + b"<script>" * 30_000
    raw = hostile.HEAD + b"Subject: Undelivered Mail Returned to Sender\nContent-Type: text/html\n\n" + html
    report = check(raw)
    assert report is not None and report.records


def test_a_huge_continuation_paragraph() -> None:
    """A Postfix-style notice whose one entry runs on for 80,000 indented lines (the paragraph
    was re-joined once per line: quadratic)."""
    body = b"This is the mail system at host mx.example.net.\n\n<gone@example.org>: host mx.example.org said: 550 5.1.1"
    raw = (b"From: MAILER-DAEMON@example.net (Mail Delivery System)\nSubject: Undelivered Mail Returned to Sender\n\n"
           + body + b"\n" + b" more\n" * 80_000)
    report = check(raw)
    assert report is not None and [r.recipient for r in report.records] == ["gone@example.org"]


@pytest.mark.parametrize(
    ("intro", "line"),
    [(b"Transcript of session follows.\n\n In:  RCPT TO:<gone@example.org>\n", b" Out: 550-5.1.1 no such user\n"),
     (b"----- Transcript of session follows -----\n... while talking to mx.example.org.:\n"
      b">>> RCPT To:<gone@example.org>\n", b"<<< 451-4.7.1 try again later\n")],
    ids=["postfix-transcript", "sendmail-transcript"],
)
def test_a_runaway_multiline_smtp_reply(intro: bytes, line: bytes) -> None:
    """A transcript whose reply goes on for 40,000 continuation lines (each line re-joined the
    whole reply: quadratic, minutes)."""
    subject = b"Postfix SMTP server: errors from relay.example.net[192.0.2.7]" if b"In:" in intro else b"Returned mail"
    raw = hostile.HEAD + b"Subject: " + subject + b"\n\n" + intro + line * 40_000
    report = check(raw, limits=dsnparse.Limits(max_message_bytes=len(raw), max_text_bytes=len(raw)))
    assert report is not None and [r.recipient for r in report.records] == ["gone@example.org"]


# -- generated MIME structure ------------------------------------------------------------------

_CTYPES = ["text/plain", "text/html", "message/delivery-status", "message/global-delivery-status",
           "message/rfc822", "message/global", "text/rfc822-headers", "message/feedback-report",
           "message/disposition-notification", "application/octet-stream", "multipart/report",
           "multipart/mixed", "multipart/alternative", "image/png", "x-junk/\x00"]
_LEAF_TEXT = st.sampled_from([
    b"Reporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; gone@example.org\nAction: failed\n"
    b"Status: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 no such user\n",
    b"<gone@example.org>: host mx.example.org said: 550 5.1.1 user unknown (in reply to RCPT TO command)\n",
    b"From: sender@example.com\nTo: gone@example.org\nSubject: hi\nMessage-ID: <m@example.com>\n\nbody\n",
    b"Feedback-Type: abuse\nUser-Agent: x\nVersion: 1\n",
    b"Disposition: manual-action/MDN-sent-manually; displayed\n",
    b"<html><body><p>Delivery failed</p><script>x</script></body></html>\n",
    b"=C3=A9=\n=ZZ\n", b"QUJD\n!!!\n", b"", b"\xff\xfe\x00\x1e\n",
]) | st.binary(max_size=300)


@st.composite
def _mime(draw: st.DrawFn, depth: int = 0) -> bytes:
    ctype = draw(st.sampled_from(_CTYPES))
    params = b""
    if draw(st.booleans()):
        params += b"; charset=" + draw(st.sampled_from([b"utf-8", b"undefined", b"iso-2022-jp", b'"', b"utf-16"]))
    headers = b"Content-Type: " + ctype.encode("latin-1") + params
    if draw(st.booleans()):
        headers += b"\nContent-Transfer-Encoding: " + draw(st.sampled_from([b"base64", b"quoted-printable", b"8bit"]))
    if ctype.startswith("multipart/") and depth < 6:
        boundary = draw(st.sampled_from([b"b%d" % depth, b"", b"b0", b"--", b"x" * 80]))
        children = draw(st.lists(_mime(depth + 1), max_size=4))
        closing = draw(st.sampled_from([b"--" + boundary + b"--\n", b"", b"--other--\n"]))
        body = b"".join(b"--" + boundary + b"\n" + c + b"\n" for c in children) + closing
        return headers + b'; boundary="' + boundary + b'"\n\n' + body
    if ctype.startswith("message/rfc822") and depth < 6 and draw(st.booleans()):
        return headers + b"\n\nSubject: inner\n" + draw(_mime(depth + 1))
    return headers + b"\n\n" + draw(_LEAF_TEXT)


@PROPERTY
@given(_mime(), st.sampled_from([b"Undelivered Mail Returned to Sender", b"Re: hello", b"Auto: out of office", b""]))
def test_generated_mime_trees(tree: bytes, subject: bytes) -> None:
    check(hostile.HEAD + b"Subject: " + subject + b"\nMIME-Version: 1.0\n" + tree)


@pytest.mark.parametrize("charset", [b"undefined", b"idna", b"utf-8'en'x", b"no-such-charset", b"\"ut\x00f-8\""])
def test_a_charset_no_codec_honours_is_dropped_from_8_bit_text(charset: bytes) -> None:
    """8-bit text declaring an unusable charset is still read (the charset dropped, BadCharset);
    ASCII text never decodes with its charset, so its declaration is left alone."""
    eight_bit = hostile.bounce(1).replace(
        b"Content-Type: text/plain\n\nDelivery", b"Content-Type: text/plain; charset=" + charset + b"\n\n\xe9 Delivery"
    )
    report = check(eight_bit)
    assert report is not None and "BadCharset" in report.defects
    assert report.records[0].recipient == "user0@example.org"
    declared = b"Content-Type: text/plain; charset=" + charset + b"\n"
    ascii_only = hostile.bounce(1).replace(b"Content-Type: text/plain\n", declared)
    report = check(ascii_only)
    assert report is not None and "BadCharset" not in report.defects
    assert report.records[0].recipient == "user0@example.org"
