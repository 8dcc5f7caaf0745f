"""The evidence classification reads beside the diagnostic: the comment of a DSN ``Status`` field
and the short human-readable note of a one-recipient report; the guard that turns "Access denied"
answering MAIL FROM into ``rejected``; "Protocol violation" as ``policyviolation``."""

from __future__ import annotations

from dsnparse import parse
from dsnparse.classify import Context, explain, to_record
from dsnparse.classify.codes import CodeTable
from dsnparse.facts import Facts
from dsnparse.message import load
from dsnparse.record import Kind
from dsnparse.standard.dsn import facts_from_groups, parse_groups, read, report_note, status_comment


def reason(**kw: str) -> str:
    return explain(Facts(**kw)).reason


def report(note: str, groups: str) -> bytes:
    """A multipart/report with ``note`` as its human-readable part and ``groups`` as its DSN."""
    return (
        "From: MAILER-DAEMON@mx.example.org\nTo: a@example.com\nSubject: Returned mail\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        f"--B\nContent-Type: text/plain\n\n{note}\n"
        f"--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n{groups}\n--B--\n"
    ).encode()


ONE = (
    "Final-Recipient: rfc822; b@example.net\nAction: failed\nStatus: 5.1.1\n"
    "Diagnostic-Code: smtp; 550 5.1.1 User unknown\n"
)
TWO = ONE + "\nFinal-Recipient: rfc822; c@example.net\nAction: failed\nStatus: 5.1.1\n"


# -- the Status comment --------------------------------------------------------------------------


def test_status_comment_is_the_text_after_the_code() -> None:
    assert status_comment("5.2.1 (mailbox disabled, not accepting messages)") == (
        "mailbox disabled, not accepting messages"
    )
    assert status_comment("4.0.0 (mx.example.net: host name\n  lookup failure)") == (
        "mx.example.net: host name lookup failure"
    )
    assert status_comment("5.0.0 permanent failure") == "permanent failure"


def test_status_without_comment_has_none() -> None:
    assert status_comment("5.1.1") is None
    assert status_comment("5.1.1 ()") is None
    assert status_comment(None) is None
    assert status_comment("failed (no code)") is None


def test_dsn_facts_carry_the_status_comment() -> None:
    groups = parse_groups("Final-Recipient: rfc822; b@example.net\nAction: failed\nStatus: 5.2.1 (mailbox disabled)\n")
    (facts,) = facts_from_groups(groups)
    assert facts.status == "5.2.1"
    assert facts.comment == "mailbox disabled"


def test_status_comment_counts_as_evidence() -> None:
    unknown = {"status": "5.2.1", "diagnostic": "550 5.2.1 <b@example.net>... User Unknown"}
    assert reason(**unknown) == "userunknown"
    assert reason(**unknown, comment="mailbox disabled, not accepting messages") == "suspend"


def test_temporary_lookup_failure_in_the_comment_is_networkerror() -> None:
    assert reason(status="4.0.0", action="delayed") == "expired"
    lookup = "mx.example.net: host name lookup failure"
    assert reason(status="4.0.0", action="delayed", comment=lookup) == "networkerror"


def test_suppression_reads_the_comment_too() -> None:
    facts = Facts(status="5.1.2", diagnostic="550 5.1.2 Bad destination system", comment="Host not found")
    record = to_record(facts, Kind.FAILURE, Context(), CodeTable.default())
    assert record.reason == "hostunknown"
    assert record.suppress is True


# -- the short note of a report --------------------------------------------------------------------


def test_a_short_human_part_is_a_note() -> None:
    mail = load(report("Your message to <b> was refused:\nmailbox quota exceeded\n", ONE))
    assert report_note(mail) == "Your message to <b> was refused: mailbox quota exceeded"


def test_boilerplate_with_a_transcript_is_no_note() -> None:
    long = "This is the mail system.\n\nSorry.\n\n<b@example.net>: host said:\n  550 over quota\n(in reply to RCPT)\n"
    assert report_note(load(report(long, ONE))) is None
    assert report_note(load(report("x" * 400, ONE))) is None


def test_the_note_is_the_comment_of_a_lone_recipient_only() -> None:
    note = "The mailbox is full.\n"
    (lone,) = read(load(report(note, ONE)))
    assert lone.comment == "The mailbox is full."
    assert [f.comment for f in read(load(report(note, TWO)))] == [None, None]


def test_the_note_decides_against_a_vaguer_diagnostic() -> None:
    (record,) = parse(report("Your message to <b> was automatically rejected:\nNot enough disk space\n", ONE)).records
    assert record.reason == "mailboxfull"
    assert record.suppress is False
    (plain,) = parse(report("Delivery failed.\n", ONE)).records
    assert plain.reason == "userunknown"


# -- Access denied answering MAIL FROM ---------------------------------------------------------------


def test_access_denied_answering_mail_from_is_rejected() -> None:
    denied = {"status": "5.7.1", "diagnostic": "550 5.7.1 <s@example.org>... Access denied"}
    assert reason(**denied, smtp_command="MAIL") == "rejected"
    assert reason(**denied, smtp_command="RCPT") == "securityerror"


def test_other_security_answers_to_mail_from_stay_securityerror() -> None:
    assert reason(status="5.0.0", diagnostic="550 Unauthenticated senders not allowed", smtp_command="MAIL") == (
        "securityerror"
    )


def test_protocol_violation_is_policyviolation() -> None:
    assert reason(status="5.0.0", diagnostic="550 Protocol violation", smtp_command="DATA") == "policyviolation"
