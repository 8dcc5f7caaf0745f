"""Batch a decoders (Postfix, Exim, Sendmail, OpenSMTPD, DragonFly): the tricky parts of their
layouts, beyond what the fixtures under fixtures/<family>/ show."""

from __future__ import annotations

import json

import pytest

from dsnparse import parse
from dsnparse.decoders import dragonfly, exim, opensmtpd, postfix, report, sendmail, smtp
from dsnparse.message import load
from dsnparse.standard.dsn import facts_from_groups, parse_groups

from .conftest import CORPUS


def _mail(headers: str, body: str) -> bytes:
    return (headers.strip("\n") + "\n\n" + body.lstrip("\n")).encode()


# -- shared SMTP wording -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("550 no (in reply to RCPT TO command)", "RCPT"),
        ("554 spam (in reply to end of DATA command)", "DATA"),
        ("SMTP error from remote mail server after MAIL FROM:<a@example.org> SIZE=10:", "MAIL"),
        ("SMTP error from remote mail server after initial connection:", "CONN"),
        (">>> DATA\n<<< 554 rejected", "DATA"),
        ("lost connection with mx.example.net[192.0.2.1] while sending RCPT TO", "RCPT"),
        ("host mx.example.net[192.0.2.1] refused to talk to me: 421 busy", "CONN"),
        ("lost connection with mx.example.net[192.0.2.1] while performing the EHLO handshake", "EHLO"),
        ("conversation with mx.example.net[192.0.2.1] timed out while receiving the initial server greeting", "CONN"),
        ("550 5.1.1 unknown user", None),
    ],
)
def test_command_from_wording(text: str, command: str | None) -> None:
    assert smtp.command(text) == command


def test_remote_host_prefers_the_name_and_falls_back_to_the_address() -> None:
    assert smtp.remote_host("host MX.Example.NET[192.0.2.1] said: 550 no") == "mx.example.net"
    assert smtp.remote_host("connect to mail.example.com[203.0.113.5]:25: Connection refused") == "mail.example.com"
    assert smtp.remote_host("550 Host unknown [192.0.2.9]") == "192.0.2.9"
    assert smtp.remote_host("550 Host unknown") is None


def test_reply_is_cut_at_its_code_and_joined() -> None:
    text = "host mx.example.net [192.0.2.1]: 550-5.1.1 first line\n550 5.1.1 second line"
    assert smtp.reply(text) == "550-5.1.1 first line second line"
    assert smtp.reply("no reply here") is None


def test_mta_reason_reads_only_that_mtas_table() -> None:
    assert report.reason_table("exim").first("mailbox is full: retry timeout exceeded") == "mailboxfull"
    assert report.reason_table("exim").first("retry timeout exceeded") == "expired"
    assert report.reason_table("postfix").first("retry timeout exceeded") is None


# -- matches() stays away from ordinary mail ---------------------------------------------------


def test_no_decoder_of_the_batch_claims_a_personal_message() -> None:
    raw = _mail(
        "From: Ann <ann@example.org>\nTo: bob@example.net\nSubject: Returned your book\n"
        "Received: from a.example.org by b.example.net (Postfix) with ESMTP id X",
        "Hi Bob, I returned the book to the library. This message was created by me.\n",
    )
    mail = load(raw)
    for decoder in (postfix, exim, opensmtpd, dragonfly):
        assert not decoder.matches(mail), decoder.NAME
    assert sendmail.decode(mail) == []


# -- Postfix ---------------------------------------------------------------------------------

_POSTFIX_HEAD = (
    "From: MAILER-DAEMON@gw.example.org (Mail Delivery System)\nTo: me@example.org\n"
    "Subject: Undelivered Mail Returned to Sender"
)


def test_postfix_reply_line_starting_with_an_address_continues_the_paragraph() -> None:
    raw = _mail(
        _POSTFIX_HEAD,
        "This is the mail system at host gw.example.org.\n\n"
        "<kim@example.net>: host mx.example.net[192.0.2.3] said: 550 5.1.1\n"
        "<kim@example.net>... User unknown (in reply to RCPT TO command)\n",
    )
    [record] = parse(raw).records
    assert record.recipient == "kim@example.net"
    assert record.smtp_command == "RCPT"
    assert record.diagnostic == "550 5.1.1 <kim@example.net>... User unknown"


def test_postfix_expanded_from_wrapped_over_two_lines() -> None:
    raw = _mail(
        _POSTFIX_HEAD,
        "This is the Postfix program at host gw.example.org.\n\n"
        "<lee@example.net> (expanded from\n"
        "    <team@example.org>): delivery temporarily suspended: connect to\n"
        "    mx.example.net[192.0.2.4]: Connection refused\n",
    )
    [record] = parse(raw).records
    assert (record.recipient, record.original_recipient) == ("lee@example.net", "team@example.org")
    assert record.remote_mta == "mx.example.net"


def test_postfix_report_quoting_another_postfix_report_reads_the_inner_one() -> None:
    raw = _mail(
        _POSTFIX_HEAD,
        "I'm sorry to have to inform you that the message returned\nbelow could not be delivered.\n\n"
        "Return-Path: <>\nReceived: by relay.example.net (Postfix) id 1A2B\n"
        "From: MAILER-DAEMON@relay.example.net (Mail Delivery System)\n"
        "Subject: Undelivered Mail Returned to Sender\n\n"
        "This is the Postfix program at host relay.example.net.\n\n"
        "<max@example.com>: host mx.example.com[192.0.2.8] said: 550 no such\n"
        "    user (in reply to RCPT TO command)\n\n"
        "Content-Type: message/delivery-status\n\nReporting-MTA: dns; relay.example.net\n\n"
        "Final-Recipient: rfc822; max@example.com\nAction: failed\nStatus: 5.1.1\n",
    )
    [record] = parse(raw).records
    assert record.recipient == "max@example.com"
    assert (record.status, record.smtp_command) == ("5.1.1", "RCPT")


def test_postfix_transcript_refusal_at_mail_from_has_no_recipient_to_blame() -> None:
    raw = _mail(
        "From: MAILER-DAEMON@mx.example.org\nTo: postmaster@mx.example.org\n"
        "Subject: Postfix SMTP server: errors from x.example.net[192.0.2.7]",
        "Transcript of session follows.\n\n Out: 220 mx.example.org ESMTP\n"
        " In:  MAIL FROM:<spam@example.net>\n Out: 554 5.7.1 Sender blocked\n In:  QUIT\n",
    )
    [facts] = postfix.decode(load(raw))
    assert facts.recipient is None
    assert (facts.status, facts.smtp_command) == ("5.7.1", "MAIL")


# -- Exim -----------------------------------------------------------------------------------

_EXIM_HEAD = (
    "From: Mail Delivery System <Mailer-Daemon@mx.example.org>\nTo: me@example.org\n"
    "Subject: Mail delivery failed: returning message to sender"
)
_EXIM_INTRO = (
    "This message was created automatically by mail delivery software.\n\n"
    "A message that you sent could not be delivered to one or more of its\n"
    "recipients. This is a permanent error. The following address(es) failed:\n\n"
)


def test_exim_text_wins_over_a_disagreeing_x_failed_recipients_header() -> None:
    raw = _mail(
        _EXIM_HEAD + "\nX-Failed-Recipients: typo@example.net",
        _EXIM_INTRO + "  right@example.net\n    host mx.example.net [192.0.2.5]\n"
        "    SMTP error from remote mail server after end of data:\n    554 5.7.0 Header error\n",
    )
    records = parse(raw).records
    assert [r.recipient for r in records] == ["right@example.net"]
    assert (records[0].smtp_command, records[0].remote_mta, records[0].status) == ("DATA", "mx.example.net", "5.7.0")


def test_exim_file_delivery_takes_its_address_from_the_header() -> None:
    raw = _mail(
        _EXIM_HEAD + "\nX-Failed-Recipients: owner@example.org",
        _EXIM_INTRO
        + "  save to /var/mail/archive\n    generated by archive\n    mailbox is full: retry timeout exceeded\n",
    )
    [record] = parse(raw).records
    assert record.recipient == "owner@example.org"
    assert record.reason == "mailboxfull"
    assert record.diagnostic == "mailbox is full: retry timeout exceeded"


def test_exim_matches_on_its_received_line_without_the_usual_opening() -> None:
    raw = _mail(
        _EXIM_HEAD + "\nReceived: from mail by mx.example.org with local (Exim 4.97) id 1abc",
        "Something went wrong.\n",
    )
    assert exim.matches(load(raw))


# -- Sendmail -------------------------------------------------------------------------------

_SENDMAIL_HEAD = (
    "From: Mail Delivery Subsystem <MAILER-DAEMON@mail.example.org>\nTo: me@example.org\n"
    "Subject: Returned mail: see transcript for details"
)


def test_sendmail_one_data_refusal_applies_to_every_listed_address() -> None:
    raw = _mail(
        _SENDMAIL_HEAD,
        "   ----- The following addresses had permanent fatal errors -----\n"
        "<a@example.net>\n    (reason: 552-5.7.0 This message was blocked because of its content)\n"
        "<b@example.net>\n    (reason: 552-5.7.0 This message was blocked because of its content)\n\n"
        "   ----- Transcript of session follows -----\n"
        "... while talking to mx.example.net.:\n>>> DATA\n"
        "<<< 552-5.7.0 This message was blocked because of its content\n"
        "<<< 552 5.7.0 and attachment guidelines.\n554 5.0.0 Service unavailable\n",
    )
    records = parse(raw).records
    assert [r.recipient for r in records] == ["a@example.net", "b@example.net"]
    for r in records:
        assert (r.smtp_command, r.remote_mta, r.status) == ("DATA", "mx.example.net", "5.7.0")
        assert r.diagnostic == "552-5.7.0 This message was blocked because of its content and attachment guidelines."


def test_sendmail_v5_without_any_address_falls_back_to_the_unsent_message() -> None:
    raw = _mail(
        _SENDMAIL_HEAD.replace("see transcript for details", "Cannot send message for 5 days"),
        "   ----- Transcript of session follows -----\n"
        "421 example.com (smtp)... Deferred: Connection timed out with example.com\n\n"
        "   ----- Unsent message follows -----\nReceived: by old.example.org; id AA1\n"
        "From: me@example.org\nTo: friend@example.com\nSubject: hi\n\nhello\n",
    )
    [record] = parse(raw).records
    assert record.recipient == "friend@example.com"
    assert record.reason == "expired"
    assert record.reply_code == "421"


def test_sendmail_host_verdict_ends_the_previous_session() -> None:
    raw = _mail(
        _SENDMAIL_HEAD,
        "   ----- Transcript of session follows -----\nWhile talking to mx.example.edu:\n>>> DATA\n"
        "<<< 550 Not today\n554 <x@example.edu>... Remote protocol error\n"
        "550 example.org (smtp)... 550 Host unknown\n"
        "554 <y@example.org>... 550 Host unknown (Authoritative answer from name server)\n",
    )
    by = {r.recipient: r for r in parse(raw).records}
    assert by["x@example.edu"].diagnostic == "550 Not today"
    assert by["x@example.edu"].remote_mta == "mx.example.edu"
    assert by["y@example.org"].remote_mta is None
    assert by["y@example.org"].smtp_command is None


# -- OpenSMTPD and DragonFly ------------------------------------------------------------------


def test_opensmtpd_never_repeats_a_recipient() -> None:
    raw = _mail(
        "From: Mailer Daemon <MAILER-DAEMON@mx.example.org>\nTo: me@example.org\n"
        "Subject: Delivery status notification: error",
        "    Hi!\n\n    This is the MAILER-DAEMON, please DO NOT REPLY to this email.\n\n"
        "    An error has occurred while attempting to deliver a message for\n"
        "    the following list of recipients:\n\n"
        "z@example.net: 550 5.1.1 no\nz@example.net: 550 5.1.1 no\n\n"
        "    Below is a copy of the original message:\n",
    )
    assert [f.recipient for f in opensmtpd.decode(load(raw))] == ["z@example.net"]


def test_dragonfly_joins_a_reply_split_by_blank_lines() -> None:
    raw = _mail(
        "From: MAILER-DAEMON <>\nTo: me@example.org\nSubject: Mail delivery failed",
        "This is the DragonFly Mail Agent v0.14 at h.example.org.\n\n"
        "There was an error delivering your mail to <q@example.net>.\n\n"
        "mx.example.net [192.0.2.2] did not like our final DATA:\n"
        "550-5.7.26 Unauthenticated email is\n\n550 5.7.26 not accepted.\n\nMessage headers follow.\n",
    )
    [facts] = dragonfly.decode(load(raw))
    assert facts.diagnostic == "550-5.7.26 Unauthenticated email is not accepted."
    assert (facts.smtp_command, facts.remote_mta, facts.status) == ("DATA", "mx.example.net", "5.7.26")


def test_postfix_transcript_joins_a_multi_line_reply() -> None:
    raw = _mail(
        "From: MAILER-DAEMON@mx.example.org\nTo: postmaster@mx.example.org\n"
        "Subject: Postfix SMTP server: errors from x.example.net[192.0.2.7]",
        "Transcript of session follows.\n\n In:  MAIL FROM:<a@example.net>\n Out: 250 2.1.0 Ok\n"
        " In:  RCPT TO:<gone@example.org>\n Out: 550-5.1.1 That account is closed.\n"
        " Out: 550 5.1.1 Ask the sender for a new address.\n In:  QUIT\n",
    )
    [facts] = postfix.decode(load(raw))
    assert facts.recipient == "gone@example.org"
    assert facts.diagnostic == "550-5.1.1 That account is closed. Ask the sender for a new address."


# -- a DSN detail these MTAs rely on --------------------------------------------------------


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


def test_sendmail_verdict_on_the_sender_is_not_a_failed_recipient() -> None:
    raw = _mail(
        _SENDMAIL_HEAD,
        "   ----- Transcript of session follows -----\n... while talking to mx.example.net.:\n"
        ">>> MAIL From:<me@example.org>\n<<< 553 5.1.8 Domain of sender address does not exist\n"
        "553 5.1.8 <me@example.org>... Domain of sender address me@example.org does not exist\n"
        "554 5.0.0 Service unavailable\n\n   ----- Original message follows -----\n"
        "Received: by mail.example.org id 1\nMessage-ID: <1@example.org>\n"
        "From: me@example.org\nTo: you@example.net\nSubject: x\n\nbody\n",
    )
    [record] = parse(raw).records
    assert record.recipient == "you@example.net"
    assert record.recipient_source == "original-to"
    assert (record.smtp_command, record.status) == ("MAIL", "5.1.8")


# -- the shared corpus (skipped when ../shared is absent) ---------------------------------------

_FAMILIES = {"lhost-postfix": "postfix", "lhost-exim": "exim", "lhost-sendmail": "sendmail",
             "lhost-v5sendmail": "sendmail", "lhost-opensmtpd": "opensmtpd", "lhost-dragonfly": "dragonfly"}


def _corpus_cases() -> list[tuple[str, str, list[str]]]:
    truth = CORPUS / "truth.jsonl"
    if not truth.is_file():
        return []
    out = []
    for line in truth.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        name = row["file"].rsplit("/", 1)[-1]
        family = name.rsplit("-", 1)[0]
        if row["file"].startswith("maildir/bsd/") and family in _FAMILIES:
            out.append((row["file"], _FAMILIES[family], sorted(r["recipient"].lower() for r in row["records"])))
    return out


@pytest.mark.skipif(not (CORPUS / "truth.jsonl").is_file(), reason="shared corpus not present")
@pytest.mark.parametrize(("path", "decoder", "recipients"), _corpus_cases())
def test_corpus_report_is_read_by_its_mta_decoder(path: str, decoder: str, recipients: list[str]) -> None:
    report = parse((CORPUS / path).read_bytes())
    assert {r.decoder for r in report.records} == {decoder}
    assert sorted((r.recipient or "").lower() for r in report.records) == recipients


def test_postfix_translated_notice_is_recognised_by_its_own_received_line() -> None:
    raw = _mail(
        "Received: by mx.example.org (Postfix)\n\tid 1A2B; Mon, 5 Jan 2026 10:00:00 +0000\n"
        "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\nTo: a@example.org\n"
        "Subject: Unzustellbare Nachricht",
        "Dies ist das Mailsystem auf mx.example.org.\n\n"
        "<b@example.net>: host mx.example.net[192.0.2.1] said: 550 5.1.1 Benutzer unbekannt (in\n"
        "    reply to RCPT TO command)\n",
    )
    assert postfix.matches(load(raw))
    [record] = parse(raw).records
    assert (record.decoder, record.recipient, record.smtp_command) == ("postfix", "b@example.net", "RCPT")


def test_postfix_relayed_personal_mail_is_not_claimed() -> None:
    raw = _mail(
        "Received: by mx.example.org (Postfix)\n\tid 1A2C; Mon, 5 Jan 2026 10:00:00 +0000\n"
        "From: Ann <ann@example.org>\nTo: b@example.net\nSubject: Lunch",
        "<b@example.net>: are you free at noon?\n",
    )
    assert not postfix.matches(load(raw))
