"""``dsnparse.mime.parse`` builds exactly the tree ``email.feedparser`` builds, or declines.

A tree is compared whole: every part's class, headers as stored, unix-from, preamble, epilogue,
default type, defects (class and arguments) and payload, recursively. Inputs: every fixture,
the corpus when ``../shared`` is there, shapes written to exercise each branch of the feed
parser, and the robustness mutations (truncation, broken boundaries, junk header bytes...).
"""

from __future__ import annotations

import email
import email.parser
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsnparse import mime
from dsnparse.indexed import POLICY, IndexedMessage
from dsnparse.message import normalize_newlines

from . import hostile
from .conftest import FIXTURES
from .test_robustness import MUTATIONS, SAMPLES

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "sisimai"


def tree(msg: Message) -> tuple[Any, ...]:
    """Everything the parser decides about a message, recursively."""
    payload = msg._payload  # type: ignore[attr-defined]  # get_payload() decodes 8-bit text
    return (
        type(msg).__name__,
        msg.get_content_type(),  # the fast parse keeps the type it read: it must be the stdlib's
        list(msg._headers),  # type: ignore[attr-defined]
        msg.get_unixfrom(),
        msg.preamble,
        msg.epilogue,
        msg.get_default_type(),
        [(type(d).__name__, d.args) for d in msg.defects],
        [tree(p) for p in payload] if isinstance(payload, list) else payload,
    )


def stdlib(text: str, headersonly: bool = False) -> Message:
    if headersonly:
        return email.parser.HeaderParser(policy=POLICY).parsestr(text)
    return email.message_from_bytes(text.encode("ascii", "surrogateescape"), policy=POLICY)


def same_or_declined(raw: bytes) -> bool:
    """True when the fast parse equals the stdlib's; False when it declined (None). The
    headers-only parse is compared too, when it does not decline."""
    text = normalize_newlines(raw).decode("ascii", "surrogateescape")
    fast_headers = mime.parse(text, headersonly=True)
    if fast_headers is not None:
        assert tree(fast_headers) == tree(stdlib(text, headersonly=True))
    fast = mime.parse(text)
    if fast is None:
        return False
    assert fast_headers is not None
    assert tree(fast) == tree(stdlib(text))
    return True


def test_every_fixture_takes_the_fast_path_with_the_same_tree() -> None:
    declined = [p.name for p in sorted(FIXTURES.rglob("*.eml")) if not same_or_declined(p.read_bytes())]
    assert declined == []


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared corpus not present")
def test_corpus_takes_the_fast_path_with_the_same_tree() -> None:
    paths = [p for p in sorted(CORPUS.rglob("*")) if p.is_file() and p.suffix not in (".jsonl", ".json", "")]
    paths += [p for p in sorted((CORPUS / "mailbox").glob("*")) if p.is_file()]
    assert len(paths) > 300
    declined = [str(p) for p in paths if not same_or_declined(p.read_bytes())]
    assert declined == []


HEAD = "From: mailer-daemon@example.net\nTo: a@example.com\nSubject: x\n"
MIXED = HEAD + "Content-Type: multipart/mixed; boundary=b\n"
SHAPES = {
    "leaf": HEAD + "\nbody line\nlast line\n",
    "no body": HEAD,
    "no blank line at the end of headers": HEAD.rstrip("\n"),
    "body without separator": HEAD + "this is not a header\nmore\n",
    "unix from": "From sender@example.com Mon Jan  1 00:00:00 2024\n" + HEAD + "\nbody\n",
    "continuations": "Subject: one\n two\n\tthree\nX-Empty:\nX-Blank:   \n  folded\n\nbody\n",
    "multipart": HEAD + 'Content-Type: multipart/mixed; boundary="b"\n\npre\namble\n--b\n'
    "Content-Type: text/plain\n\none\n--b\n\ntwo\n\n--b--\nepi\nlogue\n",
    "no preamble, no epilogue": HEAD + 'Content-Type: multipart/mixed; boundary="b"\n\n--b\n\none\n--b--',
    "close boundary with spaces": MIXED + "\n--b \t\n\none\n--b--  \n\n\nafter\n",
    "no close boundary": MIXED + "\n--b\n\none\n--b\n\ntwo\n",
    "only a close boundary": MIXED + "\npre\n--b--\nepi\n",
    "no boundary line": MIXED + "\njust text\n",
    "no boundary parameter": HEAD + "Content-Type: multipart/mixed\n\n--b\n\none\n--b--\n",
    "repeated boundary lines": MIXED + "\n--b\n--b\n--b--\nX: 1\n\none\n--b--\n",
    "boundary at the end": MIXED + "\n--b\n\none\n--b",
    "boundary look-alikes": MIXED + "\n--b\n\n--bb\n x--b\n--b -\n--b--x\n--b--\n",
    "base64 multipart": MIXED + "Content-Transfer-Encoding: base64\n\n--b\n\nx\n--b--\n",
    "nested, same boundary": MIXED + "\n--b\n"
    "Content-Type: multipart/alternative; boundary=b\n\n--b\n\ninner\n--b--\n\nouter\n--b--\n",
    "nested, outer boundary ends inner": HEAD + "Content-Type: multipart/mixed; boundary=o\n\n--o\n"
    "Content-Type: multipart/alternative; boundary=i\n\n--i\n\ninner\n--o\n\nsecond\n--o--\n",
    "nested with epilogues": HEAD + "Content-Type: multipart/mixed; boundary=o\n\n--o\n"
    "Content-Type: multipart/alternative; boundary=i\n\n--i\n\na\n--i--\ninner epilogue\n\n--o\n"
    "Content-Type: multipart/alternative; boundary=j\n\n--j\n\nb\n--j--\n--o--\n",
    "digest": HEAD + "Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\nbody\n--d\n"
    "Content-Type: text/plain\n\ntwo\n--d--\n",
    "message/rfc822": HEAD + "Content-Type: message/rfc822\n\nSubject: inner\n"
    "Content-Type: multipart/mixed; boundary=x\n\n--x\n\nin\n--x--\n",
    "delivery-status": HEAD + "Content-Type: multipart/report; boundary=r\n\n--r\n"
    "Content-Type: message/delivery-status\n\nReporting-MTA: dns; x\n\n\n"
    "Final-Recipient: rfc822; u@example.org\nnot a field\nStatus: 5.1.1\n\n\n\n--r--\n",
    "delivery-status at the end": HEAD + "Content-Type: message/delivery-status\n\nA: 1\n\nB: 2\n",
    "delivery-status, no fields": HEAD + "Content-Type: message/delivery-status\n\n",
    "global delivery status": HEAD + "Content-Type: message/global-delivery-status\n\nA: 1\n\nB: 2\n",
    "bad content type": HEAD + "Content-Type: multipart\n\n--b\n\nx\n",
    "8-bit": HEAD.replace("x\n", "caf\udce9\n") + "\nna\udcefve\n",
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_shapes(name: str) -> None:
    assert same_or_declined(SHAPES[name].encode("ascii", "surrogateescape"))


@pytest.mark.parametrize(
    "text",
    [
        HEAD + "From someone\n\nbody\n",  # a From line after the first header
        HEAD + ":no name\n\nbody\n",
        " continued first\n" + HEAD,
        "a\rb\n",
    ],
)
def test_irregular_header_blocks_are_left_to_the_stdlib(text: str) -> None:
    assert mime.parse(text) is None


def test_deep_nesting_is_left_to_the_stdlib() -> None:
    text = hostile.nested_messages(mime.MAX_DEPTH + 5).decode()
    assert mime.parse(text) is None
    assert mime.parse(hostile.nested_messages(5).decode()) is not None


def test_parts_are_indexed_messages() -> None:
    msg = mime.parse(SHAPES["multipart"])
    assert msg is not None and all(isinstance(p, IndexedMessage) for p in msg.walk())


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(st.data())
def test_mutated_fixtures_parse_alike(data: st.DataObject) -> None:
    raw = data.draw(st.sampled_from(SAMPLES), label="fixture").read_bytes()
    for name in data.draw(st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1, max_size=3), label="mutations"):
        raw = MUTATIONS[name](raw, data)
    same_or_declined(raw)


_LINES = st.sampled_from(
    ["--b", "--b--", "--b ", "--c", "--c--", "", "X: 1", " cont", "Content-Type: multipart/mixed; boundary=c",
     "Content-Type: message/rfc822", "Content-Type: message/delivery-status",
     "Content-Type: multipart/digest; boundary=b",
     "text", "From x", ":", "--b--x", "Final-Recipient: rfc822; a@example.org"]
)


@settings(max_examples=600, deadline=None, database=None)
@given(st.lists(_LINES, max_size=30), st.booleans())
def test_generated_line_soups_parse_alike(lines: list[str], newline_at_end: bool) -> None:
    text = "Content-Type: multipart/mixed; boundary=b\n" + "\n".join(lines) + ("\n" if newline_at_end else "")
    same_or_declined(text.encode())


def _attached(msg: Message) -> list[Message]:
    """The messages inside message/rfc822 and message/global parts, outermost first."""
    out: list[Message] = []
    for part in msg.walk():
        payload = part._payload  # type: ignore[attr-defined]
        if part.get_content_type() in mime.ATTACHED_TYPES and isinstance(payload, list):
            out.extend(p for p in payload if isinstance(p, Message))
    return out


def attached_kept_as_text(raw: bytes) -> int:
    """Check that with ``nested_bodies=False`` each attached message keeps its headers and its
    body as text, and that read again from those it is the message the full parse holds; return
    how many were checked."""
    text = normalize_newlines(raw).decode("ascii", "surrogateescape")
    full, shallow = mime.parse(text), mime.parse(text, nested_bodies=False)
    if full is None or shallow is None:
        assert full is None and shallow is None
        return 0
    inner_full = [m for m in _attached(full) if m not in _attached_below(full)]
    inner_shallow = _attached(shallow)
    assert len(inner_full) == len(inner_shallow)
    for deep, kept_as_text in zip(inner_full, inner_shallow, strict=True):
        body = kept_as_text._payload  # type: ignore[attr-defined]
        assert isinstance(body, str)
        assert kept_as_text._headers == deep._headers  # type: ignore[attr-defined]
        head = "".join(f"{k}: {v}\n" for k, v in kept_as_text.raw_items())
        again = mime.parse(head + "\n" + body)
        assert again is not None and tree(again)[8] == tree(deep)[8]  # the payloads
    return len(inner_full)


def test_attached_bodies_kept_as_text_parse_into_the_full_tree() -> None:
    checked = sum(attached_kept_as_text(p.read_bytes()) for p in sorted(FIXTURES.rglob("*.eml")))
    assert checked >= 20


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared corpus not present")
def test_corpus_attached_bodies_kept_as_text_parse_into_the_full_tree() -> None:
    checked = sum(attached_kept_as_text(p.read_bytes()) for p in sorted(CORPUS.rglob("*.eml")))
    assert checked >= 100


def _attached_below(msg: Message) -> list[Message]:
    """Attached messages nested inside other attached messages (the shallow parse keeps those as text)."""
    return [m for outer in _attached(msg) for m in _attached(outer) if m is not outer]
