"""Sample messages for the decoder tests, built one way."""

from __future__ import annotations

DAEMON = "From: MAILER-DAEMON@mx.example.net\nTo: amy@example.org\nSubject: Undelivered mail\nReturn-Path: <>"
"""The header lines of a bounce from a daemon."""


def message(headers: str, body: str) -> bytes:
    """A message from header lines and a body (LF line endings, as the loader normalises)."""
    return (headers.strip() + "\n\n" + body.lstrip("\n")).encode("utf-8")


def raw(text: str) -> bytes:
    """A whole message written as text."""
    return text.encode("utf-8")
