"""Recipients of old and odd report formats (issue 11, cause 7): Exchange 5.5/2000 recipient
lines, Sun/Oracle Messaging Server store addresses, AOL screen names and the plain "address on
its own line after a sentence" bounces. The failed address is read, never the list address, the
daemon, the sender or an address of the returned message."""

from __future__ import annotations

import pytest

from dsnparse import addresses, parse
from dsnparse.decoders import exchange2003, generic


@pytest.mark.parametrize(
    ("head", "address"),
    [
        ("bob@example.net", "bob@example.net"),
        ("'bob@example.net'", "bob@example.net"),
        ("<mx.example.net> bob@example.net", "bob@example.net"),
        ("c=US;a= ;p=Example Corp;o=MAIL;dda:SMTP=bob@example.net;", "bob@example.net"),
        ("Bob Smith (SMTP:bob@example.net)", "bob@example.net"),
        ("c=US;a= ;p=Example Corp;o=MAIL;s=Smith;g=Bob;", None),
        ("Bob Smith", None),
    ],
)
def test_exchange_recipient_line_names_the_internet_address(head: str, address: str | None) -> None:
    assert exchange2003._named(head) == address


def _exchange(line: str) -> bytes:
    return (
        "From: postmaster@mail.example.com\nTo: news@example.org\nSubject: Undeliverable: Plans\n"
        "Content-Type: text/plain\n\nYour message\n\n  To: Bob\n  Subject: Plans\n\n"
        f"did not reach the following recipient(s):\n\n{line} on Mon, 2 Jun 2003 10:00:05 -0400\n"
        "    The recipient name is not recognized\n"
    ).encode()


def test_exchange_x400_recipient_without_internet_address_falls_back_to_nothing_invented() -> None:
    report = parse(_exchange("c=US;a= ;p=Example Corp;o=MAIL;s=Smith;g=Bob;"))
    assert [r.recipient for r in report.records] == [None]
    assert [r.reason for r in report.records] == ["userunknown"]


def test_exchange_dda_recipient() -> None:
    report = parse(_exchange("c=US;a= ;p=Example Corp;o=MAIL;dda:SMTP=bob@example.net;"))
    assert [(r.recipient, r.decoder) for r in report.records] == [("bob@example.net", "exchange2003")]


@pytest.mark.parametrize(
    ("final", "original", "chosen"),
    [
        ("bob@ims-ms-daemon", "bob@example.com", "bob@example.com"),
        ("bob@SIMS-MS-DAEMON", "bob@example.com", "bob@example.com"),
        ("bob@mailhub", "bob@example.com", "bob@mailhub"),  # Sisimai keeps a Final-Recipient
        ("bob@example.net", "alias@example.com", "bob@example.net"),
        (None, "alias@example.com", "alias@example.com"),
        ("bob@ims-ms-daemon", None, "bob@ims-ms-daemon"),
    ],
)
def test_a_message_store_channel_address_gives_way_to_the_original(
    final: str | None, original: str | None, chosen: str | None
) -> None:
    assert addresses.internet_recipient(final, original) == chosen


def _aol(body: str) -> bytes:
    return (
        "From: Mail Delivery Subsystem <MAILER-DAEMON@aol.com>\nTo: news@example.org\n"
        f"Subject: Returned mail: User unknown\nContent-Type: text/plain\n\n{body}"
    ).encode()


def test_aol_screen_names_are_members_at_aol_com() -> None:
    body = "Mail to the following recipients could not be delivered:\n\n  kitty42\n  Blue Sky 7\n\nBye.\n"
    report = parse(_aol(body))
    assert [r.recipient for r in report.records] == ["kitty42@aol.com", "BlueSky7@aol.com"]


def test_aol_not_accepting_sentence() -> None:
    report = parse(_aol("The mail you sent could not be delivered to:\n\nkitty42 is not accepting mail.\n"))
    assert [r.recipient for r in report.records] == ["kitty42@aol.com"]


def test_aol_list_ends_at_a_line_naming_no_one() -> None:
    body = "Mail to the following recipients could not be delivered:\n  kitty42\nPlease check the names.\n"
    assert [r.recipient for r in parse(_aol(body)).records] == ["kitty42@aol.com"]


def _plain(body: str) -> bytes:
    return (
        "From: MAILER-DAEMON@relay.example.com\nTo: news@example.org\nSubject: Returned mail\n"
        f"Content-Type: text/plain\n\n{body}"
    ).encode()


@pytest.mark.parametrize(
    "lead",
    [
        "I could not deliver your message to this address:",
        "Delivery to the following recipient failed permanently:",
        "Your message could not be delivered to the following address:",
        "Ihre Nachricht konnte an folgende Adresse nicht zugestellt werden:",
        "Votre message n'a pas pu être remis au destinataire suivant :",
        "No se pudo entregar su mensaje a la siguiente dirección:",
    ],
)
def test_an_address_alone_under_a_lead_sentence_is_the_failed_recipient(lead: str) -> None:
    body = (
        f"{lead}\n\n    zoe@example.net\n\n"
        "It was sent by news@example.org to the list weekly@lists.example.org;\n"
        "write to help@relay.example.com with questions.\n\n"
        "--- Below this line is a copy of the message.\n\nFrom: news@example.org\nTo: weekly@lists.example.org\n"
    )
    report = parse(_plain(body))
    assert [r.recipient for r in report.records] == ["zoe@example.net"]
    assert report.records[0].diagnostic == " ".join(lead.split())


def test_a_reply_written_under_the_listed_address_is_its_diagnostic() -> None:
    body = "The following address failed:\n\n  zoe@example.net\n  550 5.1.1 no such mailbox\n"
    (record,) = parse(_plain(body)).records
    assert (record.recipient, record.status, record.reply_code) == ("zoe@example.net", "5.1.1", "550")


@pytest.mark.parametrize(
    "above",
    ["The list is run by", "Questions go to:", "Your message could not be delivered.\n\nSee the note of"],
)
def test_an_address_under_an_ordinary_sentence_has_no_lead(above: str) -> None:
    lines = [*above.split("\n"), "", "  owner@lists.example.org"]
    assert generic._lead(lines, len(lines) - 1, "owner@lists.example.org") is None


@pytest.mark.parametrize(
    "line",
    [
        "Intended recipient: zoe@example.net",
        "Undeliverable Address: zoe@example.net",
        "Error-for:  zoe@example.net",
        "Recipient: [SMTP:zoe@example.net]",
        "Failed Recipient: zoe@example.net",
    ],
)
def test_a_labelled_recipient_beats_the_addresses_of_the_sentences(line: str) -> None:
    body = f"Delivery failed for your message to the list weekly@lists.example.org.\n\n{line}\nReason: no such box\n"
    assert [r.recipient for r in parse(_plain(body)).records] == ["zoe@example.net"]


def test_a_listed_address_with_a_display_name() -> None:
    lead = "Your message could not be delivered to the following user:"
    body = f'{lead}\n\n"Zoe" <zoe@example.net>\n\nSent to weekly@lists.example.org.\n'
    (record,) = parse(_plain(body)).records
    assert (record.recipient, record.diagnostic) == ("zoe@example.net", lead)
