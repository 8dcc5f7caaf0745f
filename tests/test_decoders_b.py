"""Vendor-format decoders (batch b): parsing details the fixtures do not pin down on their own."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from dsnparse import parse
from dsnparse.decoders import (
    apachejames,
    bigfoot,
    biglobe,
    courier,
    exchange2003,
    exchange2007,
    ezweb,
    fml,
    imailserver,
    kddi,
    messagingserver,
    notes,
    qmail,
    report,
    smtp,
    verizon,
    x1,
    x2,
    x3,
    x5,
    x6,
)
from dsnparse.message import load

from .conftest import CORPUS, FIXTURES

BATCH = (
    imailserver,
    fml,
    apachejames,
    bigfoot,
    ezweb,
    kddi,
    biglobe,
    verizon,
    courier,
    exchange2003,
    exchange2007,
    messagingserver,
    notes,
    qmail,
    x1,
    x2,
    x3,
    x6,
    x5,
)


def _mail(text: str) -> bytes:
    return text.encode("utf-8")


QMAIL = """\
From: MAILER-DAEMON@mx.example.org
To: alice@example.org
Subject: failure notice

Hi. This is the qmail-send program at mx.example.org.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<bob@example.net>:
Connected to 192.0.2.9 but sender was rejected.
Remote host said: 421 4.7.0 Try again later, closing connection.
I'm not going to try again; this message has been in the queue too long.

<bob@example.net>:
Sorry, I couldn't find any host named example.net. (#5.1.2)

--- Below this line is a copy of the message.

From: alice@example.org
To: bob@example.net, mallory@example.com
Subject: hi

Write to <mallory@example.com>:
"""


def test_qmail_reads_remote_reply_without_vendor_verdict() -> None:
    report = parse(_mail(QMAIL))
    assert [r.recipient for r in report.records] == ["bob@example.net"]
    rec = report.records[0]
    assert rec.decoder == "qmail"
    assert rec.diagnostic == "421 4.7.0 Try again later, closing connection."
    assert (rec.status, rec.reply_code) == ("4.7.0", "421")
    assert (rec.smtp_command, rec.remote_mta) == ("MAIL", "192.0.2.9")
    # the remote server answered: the "queue too long" sentence is not taken as the verdict
    assert rec.reason != "expired"


def test_qmail_own_sentence_names_the_reason() -> None:
    text = QMAIL.replace(
        "Connected to 192.0.2.9 but sender was rejected.\n"
        "Remote host said: 421 4.7.0 Try again later, closing connection.\n",
        "Sorry, I couldn't find a mail exchanger or IP address. (#5.4.4)\n",
    )
    rec = parse(_mail(text)).records[0]
    assert (rec.status, rec.reason) == ("5.4.4", "notaccept")


def test_qmail_does_not_claim_ordinary_mail() -> None:
    plain = "From: alice@example.org\nTo: bob@example.net\nSubject: lunch\n\nHi Bob, lunch at noon?\n"
    mail = load(_mail(plain))
    assert [d.NAME for d in BATCH if d.matches(mail)] == []


def test_a_person_quoting_a_report_is_not_a_bounce() -> None:
    text = """\
From: Carol <carol@example.org>
To: helpdesk@example.com
Subject: why did this fail?

Our mail to Dan keeps failing, the notice said:

Diagnostic information for administrators:
Generating server: mta.example.com
dan@example.com
#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##

<erin@example.net>:
Sorry, no mailbox here by that name. (#5.1.1)
"""
    mail = load(_mail(text))
    assert [d.NAME for d in BATCH if d.matches(mail)] == []
    assert parse(_mail(text)).kind.value == "not_bounce"


def test_angle_blocks_stop_and_skip_repeats() -> None:
    rows = ["<a@example.com>:", "first", "", "<b@example.com>:", "second", "<a@example.com>:", "again", "---"]
    rows.append("<c@example.com>:")
    blocks = report.blocks(rows, report.ANGLE_LINE, stop=re.compile("^---"), blank_ends=False, skip_system=False)
    assert blocks == [("a@example.com", ["first"]), ("b@example.com", ["second"])]


def test_transcript_keeps_the_last_command_and_its_reply() -> None:
    rows = [">>> MAIL FROM:<a@example.org>", "<<< 250 ok", ">>> RCPT TO:<b@example.net>"]
    rows += ["<<< 550-5.1.1 no", "<<< 550 5.1.1 such user"]
    assert smtp.transcript(rows) == ("RCPT", "550-5.1.1 no such user")


def test_transcript_names_long_commands() -> None:
    assert smtp.transcript([">>> STARTTLS", "<<< 454 4.7.0 TLS not available"]) == (
        "STARTTLS",
        "454 4.7.0 TLS not available",
    )


def test_exchange2007_old_hash_reply_and_component_code() -> None:
    text = """\
From: postmaster@example.com
To: carol@example.org
Subject: Undeliverable: report

Delivery has failed to these recipients or distribution lists:

Dan<mailto:dan@example.com>
The recipient's e-mail address was not found in the recipient's e-mail system.

Diagnostic information for administrators:

Generating server: mta.example.com

dan@example.com
#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##

Original message headers:

To: dan@example.com
"""
    rec = parse(_mail(text)).records[0]
    assert (rec.recipient, rec.status, rec.reason) == ("dan@example.com", "5.1.1", "userunknown")
    assert rec.decoder == "exchange2007"
    assert rec.diagnostic == "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found"


def test_exchange2010_status_and_smtp_reply_form() -> None:
    text = """\
From: postmaster@example.com
To: carol@example.org
Subject: Undeliverable: report

Delivery has failed to these recipients or groups:

Diagnostic information for administrators:

Generating server: ex10.example.com

eve@nowhere.example.net
#< #5.4.4 smtp;554 5.4.4 SMTPSEND.DNS.NonExistentDomain; nonexistent domain> #SMTP#
"""
    rec = parse(_mail(text)).records[0]
    assert (rec.recipient, rec.status, rec.reply_code) == ("eve@nowhere.example.net", "5.4.4", "554")
    assert rec.diagnostic == "554 5.4.4 SMTPSEND.DNS.NonExistentDomain; nonexistent domain"
    assert rec.reason == "hostunknown"


def test_messagingserver_reads_a_report_whose_boundaries_are_lost() -> None:
    text = """\
From: PMDF e-Mail Interconnect <MAILER-DAEMON@pmdf.example.com>
To: erin@example.org
Subject: Delivery Notification: Delivery has failed
MIME-version: 1.0
Content-type: multipart/report; report-type=delivery-status

This report relates to a message you sent with the following header fields:

  From: erin@example.org

Your message cannot be delivered to the following recipients:

  Recipient address: fay@example.net
  Reason: Remote SMTP server has rejected address
  Diagnostic code: smtp; 550 5.7.1 Not allowed
  Remote system: dns; mx.example.net (TCP|192.0.2.1|1|192.0.2.2|25)
  Recipient address: gus@example.net
  Reason: Remote SMTP server has rejected address
  Diagnostic code: smtp; 550 5.1.1 No such user
  Remote system: dns; mx.example.net (TCP|192.0.2.1|1|192.0.2.2|25)
"""
    recs = parse(_mail(text)).records
    assert [(r.recipient, r.status, r.smtp_command, r.remote_mta) for r in recs] == [
        ("fay@example.net", "5.7.1", "RCPT", "mx.example.net"),
        ("gus@example.net", "5.1.1", "RCPT", "mx.example.net"),
    ]


def test_x5_leaves_a_report_that_lists_its_own_recipient() -> None:
    raw = (FIXTURES / "x5" / "wrapped-bounce.eml").read_text()
    listed = raw.replace(
        "----- The following addresses had permanent delivery errors -----\n\n\n--OUTER_1",
        "----- The following addresses had permanent delivery errors -----\nhal@example.org\n\n--OUTER_1",
    )
    assert listed != raw
    assert not x5.matches(load(_mail(listed)))
    assert x5.matches(load(_mail(raw)))


def test_ezweb_rejection_with_a_reply_is_not_called_filtered() -> None:
    rec = parse((FIXTURES / "ezweb" / "user-unknown.eml").read_bytes()).records[0]
    assert rec.reason != "filtered"
    assert rec.reply_code == "550"


def test_vendor_tables_cover_only_known_decoders() -> None:
    from dsnparse.decoders import ORDER
    from dsnparse.rows import document as load_toml

    names = {d.NAME for d in ORDER} | {"domino", "apachejames_details", "exchange2007_details"}
    assert set(load_toml("decoder_markers.toml")) <= names
    assert set(load_toml("decoder_reasons.toml")) <= names
    assert {d.NAME for d in BATCH} <= {d.NAME for d in ORDER}


def _corpus_files(prefixes: tuple[str, ...]) -> Iterator[Path]:
    folder = CORPUS / "maildir" / "bsd"
    for prefix in prefixes:
        yield from sorted(folder.glob(f"lhost-{prefix}-*.eml"))


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not available")
def test_corpus_files_of_the_batch_are_read_by_their_decoder() -> None:
    expected = {
        "qmail": "qmail",
        "courier": "courier",
        "exchange2003": "exchange2003",
        "imailserver": "imailserver",
        "notes": "notes",
        "domino": "notes",
        "messagingserver": "messagingserver",
        "ezweb": "ezweb",
        "kddi": "kddi",
        "biglobe": "biglobe",
        "verizon": "verizon",
        "x1": "x1",
        "x2": "x2 qmail",
        "x3": "x3",
        "x4": "qmail",
        "x5": "x5",
        "x6": "x6",
        "fml": "fml",
        "apachejames": "apachejames",
    }
    wrong = []
    for prefix, name in expected.items():
        for path in _corpus_files((prefix,)):
            records = parse(path.read_bytes()).records
            if not records or any(r.decoder not in (*name.split(), "rfc3464") for r in records):
                wrong.append((path.name, [r.decoder for r in records]))
    assert wrong == []
