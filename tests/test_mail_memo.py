"""Mail.memo: a value derived from one message is computed once and kept with that message."""

from __future__ import annotations

import email

from dsnparse.decoders._shared import views
from dsnparse.message import Mail, load

RAW = b"From: MAILER-DAEMON@example.com\nSubject: Undelivered Mail Returned to Sender\n\nhello\n"


def test_memo_computes_once_per_message_and_function() -> None:
    calls: list[str] = []

    def sender_len(mail: Mail) -> int:
        calls.append("len")
        return len(mail.sender)

    def subject(mail: Mail) -> str:
        calls.append("subject")
        return mail.subject

    mail = load(RAW)
    assert mail.memo(sender_len) == len("mailer-daemon@example.com")
    assert mail.memo(sender_len) == len("mailer-daemon@example.com")
    assert mail.memo(subject) == "Undelivered Mail Returned to Sender"
    assert calls == ["len", "subject"]
    assert load(RAW).memo(sender_len) == len("mailer-daemon@example.com")
    assert calls == ["len", "subject", "len"]


def test_memoized_decoder_helpers_answer_as_before() -> None:
    mail = load(RAW)
    assert views.machine_report(mail) is True
    assert views.machine_report(mail) is True
    assert views.text(mail) == "hello\n"
    assert not views.received_has(mail, "postfix")
    person = load(b"From: alice@example.org\nSubject: lunch\n\nhello\n")
    assert views.machine_report(person) is False


def test_body_head_is_the_lower_cased_prefix_in_any_script() -> None:
    """head(body=True) equals lower-casing the first characters, also where lower-casing is not
    one character for one (a dotted capital I becomes two) or depends on what follows (a capital
    sigma at the end of a word is final), and for non-ASCII text that is."""
    bodies = [
        "Сообщение не доставлено: ПОЧТОВЫЙ ЯЩИК ПЕРЕПОЛНЕН\n",
        "İSTANBUL posta kutusu dolu\n",
        "ΟΔΟΣ ΑΠΟΣΤΟΛΗΣ\n",
        "Mail delivery FAILED\n",
    ]
    for body in bodies:
        head = "From: MAILER-DAEMON@example.com\nSubject: x\nContent-Type: text/plain; charset=utf-8\n\n"
        mail = load(f"{head}{body}".encode())
        for size in range(1, len(body) + 2):
            assert views.head(mail, size, body=True) == mail.body[:size].lower(), (body, size)
        assert views.received_has(mail, "example") is False


def test_received_has_reads_each_received_header_lower_cased() -> None:
    """received_has(needle) is "needle in one of the lower-cased Received headers": one search of
    the headers joined, lower-cased once, finds what a search header by header finds, also for a
    capital sigma ending one header (final) or starting the next, and a dotted capital I."""
    values = ["from mx.example.net by ΟΔΟΣ", "ΣMTP by İnbound.example.org", "by M-Filter.example.com (8.1)"]
    fields = "".join(f"Received: {v}\n" for v in values)
    # a Message made from text keeps the letters (bytes would hold them as undecodable octets)
    mail = load(email.message_from_string(f"From: MAILER-DAEMON@example.com\n{fields}Subject: x\n\nhello\n"))
    assert mail.received == tuple(values)
    lowered = [v.lower() for v in values]
    for needle in ("οδος", "οδoς", "ς\nσ", "σmtp", "i̇nbound", "inbound", "by m-filter", "(8.1)", "example.org\nby"):
        assert views.received_has(mail, needle) is any(needle in v for v in lowered), needle
