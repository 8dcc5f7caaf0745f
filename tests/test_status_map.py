"""The status map and the reply-code table: Sisimai's status map (reasons.md 3.2, 5.6+) where it
names a reason, RFC 3463/4954 meanings where it does not, every row with its source; and the
reply codes of SMTP AUTH read like any other."""

from __future__ import annotations

import csv
import io
from importlib import resources

import pytest

import dsnparse
from dsnparse.classify.reasons import vocabulary
from dsnparse.facts import find_reply_code

from .conftest import dsn_bytes


@pytest.mark.parametrize(
    ("status", "diagnostic", "reason"),
    [
        # 4.7.1 alone is blocked, and final (reasons.md 3.2), not the X.7 catch-all securityerror
        ("4.7.1", "451 4.7.1 Please try again later", "blocked"),
        # X.5.3 is "Too many recipients" (RFC 3463), a limit on the sender: ratelimited, not size
        ("5.5.3", "452 5.5.3 Too many recipients", "ratelimited"),
        ("5.0.0", "452 Too many recipients", "ratelimited"),
        ("5.1.4", "550 5.1.4 Destination mailbox address ambiguous", "filtered"),
        ("5.5.4", "501 5.5.4 HELO/EHLO argument invalid, closing connection", "systemerror"),  # tsv: Google
        ("4.7.2", "450 4.7.2 Mailing list expansion prohibited", "rejected"),
        # a generic X.0.0 names nothing, so the reply code speaks (reasons.md 3.1 second pass)
        ("5.0.0", "535 Incorrect authentication data", "securityerror"),
        ("5.0.0", "501 Syntax: HELO hostname", "syntaxerror"),
        # Exchange's "not authorized to send to this recipient" (reasons.md, filtered wording)
        ("5.7.1", "550 5.7.1 RESOLVER.RST.NotAuthorized; not authorized", "filtered"),
        ("5.0.0", "552 Message rejected (attachment too big)", "emailtoolarge"),
        # failedstarttls is probed before policyviolation (Sisimai 5.7 first pass, reasons.md 3.3)
        ("5.7.10", "523 5.7.10 SMTP protocol violation, no commands allowed to pipeline after STARTTLS",
         "failedstarttls"),
        # the registry's replies of X.7.10/X.7.11/X.7.13 (523, 524/538, 525) name their reason
        ("5.0.0", "524 Use another mechanism", "failedstarttls"),
        ("5.0.0", "525 Contact your administrator", "suspend"),
    ],
)
def test_status_and_reply_tables_decide_as_sisimai(status: str, diagnostic: str, reason: str) -> None:
    [record] = dsnparse.parse(dsn_bytes(status, f"smtp; {diagnostic}")).records
    assert record.reason == reason, (status, diagnostic)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("535 5.7.8 Authentication credentials invalid", "535"),
        ("530 5.7.0 Authentication required", "530"),
        ("432 4.7.12 A password transition is needed", "432"),
        ("the 536 bytes of 548 lines", None),  # x3z / x4z numbers that are not AUTH replies
        ("550 5.1.1 unknown", "550"),
    ],
)
def test_the_auth_replies_are_reply_codes(text: str, code: str | None) -> None:
    assert find_reply_code(text) == code


@pytest.mark.parametrize("table", ["status_reasons.csv", "reply_reasons.csv"])
def test_every_row_names_its_source(table: str) -> None:
    text = resources.files("dsnparse").joinpath("data", table).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows
    assert all((row.get("source") or "").strip() for row in rows), table
    assert all(row["reason"] in vocabulary() for row in rows), table
