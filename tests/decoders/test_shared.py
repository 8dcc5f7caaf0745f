"""What every decoder relies on, written once: recipient blocks and their facts, the reason tables,
reports with broken MIME, and no decoder claiming ordinary mail."""

from __future__ import annotations

import re

import pytest

from dsnparse import addresses, parse
from dsnparse.decoders import DECODERS
from dsnparse.decoders._shared import blocks, markers, smtp
from dsnparse.message import load
from dsnparse.record import Kind

from ._samples import message


def test_mta_reason_reads_only_that_mtas_table() -> None:
    assert markers.reason_table("exim").first("mailbox is full: retry timeout exceeded") == "mailboxfull"
    assert markers.reason_table("exim").first("retry timeout exceeded") == "expired"
    assert markers.reason_table("postfix").first("retry timeout exceeded") is None


ORDINARY = b"""From: Robin Example <robin@gmail.com>
To: dana@example.org
Subject: Lunch on Friday?
Message-ID: <lunch-1@mail.gmail.com>
Content-Type: text/plain; charset=utf-8

Delivery to the following recipient failed permanently:

     somebody@example.net

(just kidding, see you at noon)
"""


_PERSONAL = {
    "a personal note relayed by Postfix": message(
        "From: Ann <ann@example.org>\nTo: bob@example.net\nSubject: Returned your book\n"
        "Received: from a.example.org by b.example.net (Postfix) with ESMTP id X",
        "Hi Bob, I returned the book to the library. This message was created by me.\n",
    ),
    "lunch": message("From: alice@example.org\nTo: bob@example.net\nSubject: lunch", "Hi Bob, lunch at noon?\n"),
    "a person quoting two reports": message(
        "From: Carol <carol@example.org>\nTo: helpdesk@example.com\nSubject: why did this fail?",
        "Our mail to Dan keeps failing, the notice said:\n\nDiagnostic information for administrators:\n"
        "Generating server: mta.example.com\ndan@example.com\n#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##\n\n"
        "<erin@example.net>:\nSorry, no mailbox here by that name. (#5.1.1)\n",
    ),
    "a joke in a provider's wording": ORDINARY,
    "sent with Zoho Mail": ORDINARY.replace(b"Content-Type:", b"X-Mailer: Zoho Mail\nContent-Type:", 1),
    "sent with Amazon WorkMail": ORDINARY.replace(b"Content-Type:", b"X-Mailer: Amazon WorkMail\nContent-Type:", 1),
    "gateway headers on minutes": message(
        "From: Pia <pia@example.org>\nTo: quin@example.com\nSubject: Minutes\nReturn-Path: <pia@example.org>\n"
        "X-NAI-Header: Modified by McAfee Email Gateway\nX-SEF-Processed: 7_0_0_1\n"
        "X-Mailer: SurfControl E-mail Filter\nX-Mimecast-Spam-Score: 1\nX-MX-Bounce: none",
        "Addressed To: quin@example.com\nThe minutes are attached; the vote was rejected 3 to 2.\n",
    ),
}


@pytest.mark.parametrize("raw", _PERSONAL.values(), ids=_PERSONAL)
def test_no_decoder_reads_facts_from_a_persons_message(raw: bytes) -> None:
    mail = load(raw)
    assert [d.NAME for d in DECODERS if d.matches(mail) and d.decode(mail)] == []
    assert parse(raw).kind is Kind.NOT_BOUNCE


def test_angle_blocks_stop_and_skip_repeats() -> None:
    rows = ["<a@example.com>:", "first", "", "<b@example.com>:", "second", "<a@example.com>:", "again", "---"]
    rows.append("<c@example.com>:")
    found = blocks.blocks(rows, blocks.ANGLE_LINE, stop=re.compile("^---"), blank_ends=False, skip_system=False)
    assert found == [("a@example.com", ["first"]), ("b@example.com", ["second"])]


def test_blocks_skip_daemons_and_repeats_and_stop_at_blank_lines() -> None:
    lines = [
        "  a@example.net",
        "    host mx.example.net: 550 5.1.1 unknown",
        "",
        "  MAILER-DAEMON@example.org",
        "    not a recipient",
        "  a@example.net",
        "    the same block again",
        "",
        "Trailing text that belongs to nobody",
    ]
    start = re.compile(r" {2}(\S{1,320}@\S{1,255})$")
    assert blocks.blocks(lines, start) == [("a@example.net", ["host mx.example.net: 550 5.1.1 unknown"])]


def test_indented_continuation_quoting_the_address_does_not_open_a_block() -> None:
    lines = [
        "<b@example.net>: host mx.example.net[192.0.2.7] said: 550 5.1.1",
        "    <b@example.net>: Recipient address rejected (in reply to",
        "    RCPT TO command)",
    ]
    ((addr, block),) = blocks.blocks(lines, blocks.ANGLE_RECIPIENT)
    assert addr == "b@example.net"
    assert smtp.command_phrase(" ".join(block)) == "RCPT"


def test_facts_read_codes_command_and_the_vendor_reason_from_the_text() -> None:
    facts = blocks.facts(addresses.normalize("<Al@Example.NET>"), "554 5.7.0 was considered unsolicited bulk e-mail\n"
                           " (in reply to end of data command)", reasons="amavis")
    assert (facts.recipient, facts.status, facts.reply_code) == ("Al@example.net", "5.7.0", "554")
    assert (facts.smtp_command, facts.reason) == ("DATA", "spamdetected")
    assert blocks.facts("al@example.net", "550 unknown", reasons="mcafee").reason is None


def test_a_report_whose_declared_boundary_was_rewritten_is_still_read() -> None:
    raw = message(
        "From: MAILER-DAEMON@mx.example.net\nTo: amy@example.org\nSubject: Undelivered Mail Returned to Sender\n"
        'MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="B1/mx.example"',
        "This is a MIME-encapsulated message.\n\n--B1/mx.example.net\nContent-Type: text/plain\n\n"
        "<rob@example.net>: host mx.example.net[192.0.2.5] said: 550 5.1.1 unknown user\n\n"
        "--B1/mx.example.net\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n"
        "Final-Recipient: rfc822; rob@example.net\nAction: failed\nStatus: 5.1.1\n\n--B1/mx.example.net--\n",
    )
    m = load(raw)
    assert [p.get_content_type() for p in m.parts] == ["text/plain", "message/delivery-status"]
    report = parse(raw)
    assert [(r.recipient, r.status) for r in report.records] == [("rob@example.net", "5.1.1")]


def test_a_multipart_without_any_delimiter_is_left_as_parsed() -> None:
    raw = message(
        "From: a@example.org\nTo: b@example.org\nSubject: x\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="Q"',
        "no parts here\n--just a dash line\n",
    )
    assert load(raw).message.get_payload() == "no parts here\n--just a dash line\n"
