"""Builders of hostile and oversized messages shared by the robustness and limits tests."""

from __future__ import annotations

HEAD = b"From: Mail Delivery System <mailer-daemon@example.net>\nTo: sender@example.com\n"


def bounce(recipients: int = 1, subject: bytes = b"Undelivered Mail Returned to Sender") -> bytes:
    """A plain RFC 3464 report for ``recipients`` failed addresses."""
    groups = b"".join(
        b"Final-Recipient: rfc822; user%d@example.org\nAction: failed\nStatus: 5.1.1\n"
        b"Diagnostic-Code: smtp; 550 5.1.1 no such user\n\n" % i
        for i in range(recipients)
    )
    return (
        HEAD + b"Subject: " + subject + b"\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="rpt"\n\n'
        b"--rpt\nContent-Type: text/plain\n\nDelivery to the following recipients failed.\n\n"
        b"--rpt\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n" + groups +
        b"--rpt\nContent-Type: text/rfc822-headers\n\nFrom: sender@example.com\nTo: user0@example.org\n"
        b"Subject: hello\nMessage-ID: <m1@example.com>\n\n--rpt--\n"
    )


def nested_multipart(depth: int) -> bytes:
    """A failure notice buried ``depth`` multipart levels deep."""
    opening = b"".join(b'Content-Type: multipart/mixed; boundary="n%d"\n\n--n%d\n' % (i, i) for i in range(depth))
    closing = b"".join(b"\n--n%d--\n" % i for i in reversed(range(depth)))
    return (
        HEAD + b"Subject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n" + opening
        + b"Content-Type: text/plain\n\n<deep@example.org>: 550 5.1.1 user unknown\n" + closing
    )


def nested_messages(depth: int) -> bytes:
    """``depth`` message/rfc822 parts inside each other."""
    return HEAD + b"Subject: Returned mail\n" + b"Content-Type: message/rfc822\n\n" * depth + b"Subject: x\n\nbody\n"


def many_parts(count: int) -> bytes:
    """A multipart message with ``count`` text parts, each naming a failed address."""
    part = b"--p\nContent-Type: text/plain\n\n<user%d@example.org>: 550 5.1.1 user unknown\n"
    return (
        HEAD + b"Subject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="p"\n\n'
        + b"".join(part % i for i in range(count)) + b"--p--\n"
    )


def long_header(length: int) -> bytes:
    """A bounce whose Subject is ``length`` bytes long (one line)."""
    return bounce(subject=b"Undelivered " + b"x" * length)


def plain_failures(count: int) -> bytes:
    """A free-form (non-MIME) notice listing ``count`` failed addresses, one per line."""
    lines = b"".join(b"<user%d@example.org>: 550 5.1.1 user unknown\n" % i for i in range(count))
    return HEAD + b"Subject: Undelivered Mail Returned to Sender\n\nThis is the mail system.\n\n" + lines
