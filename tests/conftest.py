"""Shared test helpers: paths to the bundled fixtures and the optional shared corpus, and a
one-recipient delivery-status report built from a status and a diagnostic."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus" / "sisimai"


def fixture_bytes(relative: str) -> bytes:
    """The raw bytes of a bundled fixture message."""
    return (FIXTURES / relative).read_bytes()


@pytest.fixture
def fixture() -> object:
    """``fixture("rfc3464/userunknown.eml")`` -> bytes."""
    return fixture_bytes


def dsn_bytes(status: str, diagnostic: str | None, *, action: str = "failed", text: str = "Delivery failed.",
              subject: str = "Undelivered Mail Returned to Sender") -> bytes:
    """A one-recipient RFC 3464 report with this ``Status`` and ``Diagnostic-Code`` (``smtp; ...``)."""
    diag = f"Diagnostic-Code: {diagnostic}\n" if diagnostic else ""
    return (
        "From: MAILER-DAEMON@mx.example.org\nTo: amy@example.org\n"
        f"Subject: {subject}\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        f"--B\nContent-Type: text/plain\n\n{text}\n\n"
        "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
        f"Final-Recipient: rfc822; ben@example.net\nAction: {action}\nStatus: {status}\n{diag}\n--B--\n"
    ).encode()
