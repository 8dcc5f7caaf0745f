"""Active!Hunter (Japanese gateway): a sendmail-like report with ``>>> address`` lines.

The text lists the failed addresses under "The following addresses had permanent fatal errors"
as ``>>> rcpt@example.org <rcpt@example.org>`` and the remote reply under "Transcript of session
follows"; the bounce carries an ``X-AHMAILID`` header.
"""

from __future__ import annotations

from .. import addresses
from ..facts import Facts
from ..message import Mail
from ._shared import blocks, views

NAME = "activehunter"


def matches(mail: Mail) -> bool:
    """The gateway's ``X-AHMAILID`` header or its MIME boundary."""
    return "x-ahmailid" in mail.header_names or "active!hunter" in views.boundary(mail)


def decode(mail: Mail) -> list[Facts]:
    """One fact per ``>>>`` address, with the session transcript as diagnostic."""
    recipients: list[str] = []
    transcript: list[str] = []
    in_transcript = False
    for line in mail.report_text.split("\n"):
        text = line.strip()
        if text.startswith(">>>") and not in_transcript:
            recipients.extend(addresses.find_all(text)[:1])
        elif "transcript of session follows" in text.lower():
            in_transcript = True
        elif in_transcript and text:
            transcript.append(text)
    diagnostic = " ".join(transcript)
    return blocks.unique([blocks.facts(addresses.normalize(r), diagnostic, reasons=NAME) for r in recipients])
