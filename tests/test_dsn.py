"""RFC 3464 / RFC 6533 reading: groups, folding, xtext, actions, replies, codes."""

from __future__ import annotations

import pytest

from dsnparse.facts import find_reply_code, find_status
from dsnparse.standard.dsn import decode_xtext, facts_from_groups, iso_date, join_reply, normalize_action, parse_groups

GROUPS = """Reporting-MTA: dns; mx.example.org
Arrival-Date: Mon, 2 Mar 2026 10:00:00 +0100

Final-Recipient: rfc822; first@example.com
Action: failed
Status: 5.0.0
Diagnostic-Code: smtp; 550-5.1.1 first line
  550-5.1.1 second line
  550 5.1.1 third line

Original-Recipient: rfc822;Second+2Bbox@example.net
Final-Recipient: RFC822; <second@example.net>
Action: expired
Status: 4.4.7 (delivery time expired)
Remote-MTA: dns; mx.example.net
"""


def test_groups_are_split_unfolded_and_lower_cased() -> None:
    groups = parse_groups(GROUPS)
    assert len(groups) == 3
    assert groups[0]["reporting-mta"] == "dns; mx.example.org"
    assert "second line" in groups[1]["diagnostic-code"]


def test_facts_from_groups() -> None:
    first, second = facts_from_groups(parse_groups(GROUPS))
    assert first.recipient == "first@example.com"
    assert first.status == "5.1.1"  # the diagnostic's specific code replaces the generic 5.0.0
    assert first.reply_code == "550"
    assert first.diagnostic == "550-5.1.1 first line second line third line"
    assert first.reporting_mta == "mx.example.org"
    assert first.date == "2026-03-02T09:00:00Z"
    assert second.recipient == "second@example.net"
    assert second.original_recipient == "Second+box@example.net"
    assert (second.action, second.status, second.remote_mta) == ("failed", "4.4.7", "mx.example.net")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("failed", "failed"), ("Failure", "failed"), ("expired", "failed"), ("delayed", "delayed"),
     ("deliverable", "delivered"), ("relayed", "relayed"), ("expanded", "expanded"), ("whatever", None), ("", None)],
)
def test_actions_are_normalised(value: str, expected: str | None) -> None:
    assert normalize_action(value) == expected


def test_xtext() -> None:
    assert decode_xtext("a+2Bb+3Dc@example.com") == "a+b=c@example.com"


@pytest.mark.parametrize(
    ("text", "joined"),
    [("550-5.7.1 a\n 550-5.7.1 b\n 550 5.7.1 c", "550-5.7.1 a b c"),
     ("451-Try\n 451 later", "451-Try later"),
     ("plain text only", "plain text only")],
)
def test_multi_line_replies_are_joined(text: str, joined: str) -> None:
    assert join_reply(text) == joined


@pytest.mark.parametrize(
    ("text", "code"),
    [("550 5.1.1 user unknown", "5.1.1"), ("5.0.0 then 5.2.2", "5.2.2"), ("from 192.0.2.55 host", None),
     ("version 5.10.100.1", None), ("#5.1.1 smtp;550", "5.1.1"), ("6.1.1 is not a class", None)],
)
def test_status_codes_are_validated(text: str, code: str | None) -> None:
    assert find_status(text) == code


@pytest.mark.parametrize(
    ("text", "code"), [("550 5.1.1 x", "550"), ("said: 452-4.2.2 full", "452"), ("port 25000 open", None), ("", None)]
)
def test_reply_codes(text: str, code: str | None) -> None:
    assert find_reply_code(text) == code


def test_dates_become_utc_iso() -> None:
    assert iso_date("Tue, 10 Mar 2026 09:12:01 +0100") == "2026-03-10T08:12:01Z"
    assert iso_date("not a date") is None


def test_iso_date_reads_the_usual_shape_as_the_stdlib_does() -> None:
    """The quick reading of ``Wed, 16 Oct 2013 14:15:35 +0900`` gives the stdlib's answer, also for
    impossible dates and offsets, odd spacing, other day names and trailing comments."""
    import random
    from datetime import UTC
    from email.utils import parsedate_to_datetime

    def reference(value: str) -> str | None:
        try:
            dt = parsedate_to_datetime(value.strip())
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if dt.tzinfo is None:
            return dt.replace(microsecond=0).isoformat() + "Z"
        return dt.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")

    rnd = random.Random(3)
    for _ in range(4000):
        value = "%s%d %s %d %02d:%02d:%02d %s%02d%02d%s" % (  # noqa: UP031 - a pattern of date fields
            rnd.choice(["Mon, ", "wed, ", "", "Xyz, ", "Sun,  ", " Tue,\t"]), rnd.randint(0, 32),
            rnd.choice(["Jan", "feb", "OCT", "Dec", "Foo", "June"]), rnd.choice([1999, 2013, 2024, 99, 10000]),
            rnd.randint(0, 25), rnd.randint(0, 61), rnd.randint(0, 61), rnd.choice("+-"), rnd.randint(0, 25),
            rnd.choice([0, 30, 59, 60, 99]),
            rnd.choice(["", " ", " (JST)", "\t", "(PST)", " () ", " (a (b) c)", " (Pacific Time)  ", "\t(UTC)"]),
        )
        assert iso_date(value) == reference(value), value
    assert iso_date("Wed, 16 Oct 2013 14:15:35 +0900") == "2013-10-16T05:15:35Z"


@pytest.mark.parametrize(
    ("status", "diagnostic", "expected"),
    [
        ("5.1.1", "smtp; 550 5.7.1 IP address blocked by recipient", "5.7.1"),  # sendmail's mapping loses
        ("4.4.7", "smtp; 452 4.4.5 Insufficient disk space", "4.4.5"),
        ("5.1.1", "smtp; 550 5.0.0 nope", "5.1.1"),  # a vaguer remote code never wins
        # the remote's own reply is the better witness, even in another class (reasons.md 2.2:
        # between classes the reply code's class decides)
        ("5.1.1", "smtp; 450 4.2.1 try later", "4.2.1"),
        ("5.0.0", "smtp; 452 4.2.2 mailbox full", "4.2.2"),
        ("4.4.7", "smtp; 554 4.4.7 Message expired <421 4.4.2 Connection timed out>", "4.4.2"),
        ("5.1.0", "smtp; 5.1.0 - Unknown address error 550-'5.4.1 Recipient address rejected'", "5.4.1"),
        ("5.0.0", "smtp; delivery failed, see 5.2.2 in the log", "5.2.2"),  # no reply: same class only
        ("4.0.0", "smtp; delivery failed, see 5.2.2 in the log", "4.0.0"),
    ],
)
def test_dsn_status_yields_to_the_remote_reply(status: str, diagnostic: str, expected: str) -> None:
    text = (
        "Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; a@example.net\nAction: failed\n"
        f"Status: {status}\nDiagnostic-Code: {diagnostic}\n"
    )
    [facts] = facts_from_groups(parse_groups(text))
    assert facts.status == expected


def test_dsn_groups_without_blank_lines_are_split_per_recipient() -> None:
    text = (
        "Reporting-MTA: dns; mx.example.org\n\n"
        "Final-Recipient: rfc822; one@example.net\nAction: failed\nStatus: 5.2.2\n"
        "Final-Recipient: rfc822; two@example.net\nAction: failed\nStatus: 5.1.1\n"
    )
    facts = facts_from_groups(parse_groups(text))
    assert [(f.recipient, f.status) for f in facts] == [("one@example.net", "5.2.2"), ("two@example.net", "5.1.1")]


def test_generic_dsn_status_takes_the_remote_code_not_the_mta_prefix() -> None:
    text = (
        "Final-Recipient: rfc822; c@example.net\nAction: failed\nStatus: 5.0.0 (permanent failure)\n"
        "Diagnostic-Code: smtp; 5.1.0 - Unknown address error 550-'5.2.2 <c@example.net>... Mailbox Full'\n"
    )
    (facts,) = facts_from_groups(parse_groups(text))
    assert facts.status == "5.2.2"
