"""The SMTP wording inside reports (``decoders/_shared/smtp.py``): commands, replies, transcripts,
remote hosts."""

from __future__ import annotations

import re

import pytest

from dsnparse.commands import Step, answered
from dsnparse.decoders._shared import blocks, smtp


@pytest.mark.parametrize(
    ("text", "step", "command"),
    [
        ("550 no (in reply to RCPT TO command)", "sentence", "RCPT"),
        ("554 spam (in reply to end of DATA command)", "sentence", "DATA"),
        ("SMTP error from remote mail server after MAIL FROM:<a@example.org> SIZE=10:", "sentence", "MAIL"),
        ("SMTP error from remote mail server after initial connection:", "sentence", "CONN"),
        (">>> DATA\n<<< 554 rejected", "sentence", "DATA"),
        ("lost connection with mx.example.net[192.0.2.1] while sending RCPT TO", "sentence", "RCPT"),
        ("host mx.example.net[192.0.2.1] refused to talk to me: 421 busy", "sentence", "CONN"),
        ("lost connection with mx.example.net[192.0.2.1] while performing the EHLO handshake", "sentence", "EHLO"),
        ("timed out while receiving the initial server greeting", "sentence", "CONN"),
        ("550 5.1.1 unknown user", "sentence", None),
        ("host mx.example.net[192.0.2.1] said: 550 5.1.1 unknown (in reply to RCPT TO command)", "phrase", "RCPT"),
        ("SMTP error from remote mail server after end of data:", "phrase", "DATA"),
        ("SMTP error from remote server for TEXT command, host: mx.example.net", "phrase", "DATA"),
        ("Remote host said: 501 5.1.8 Sender address rejected [MAIL_FROM]", "phrase", "MAIL"),
        ("Connection timed out in connect", "phrase", "CONN"),
        ("550 5.1.1 user unknown", "phrase", None),
    ],
)
def test_each_step_reads_its_own_wording(text: str, step: Step, command: str | None) -> None:
    # smtp.command is the sentence step (an MTA's narration), smtp.command_phrase the phrase step
    reader = smtp.command if step == "sentence" else smtp.command_phrase
    assert reader(text) == answered(text, (step,)) == command


def test_remote_host_prefers_the_name_and_falls_back_to_the_address() -> None:
    assert smtp.remote_host("host MX.Example.NET[192.0.2.1] said: 550 no") == "mx.example.net"
    assert smtp.remote_host("connect to mail.example.com[203.0.113.5]:25: Connection refused") == "mail.example.com"
    assert smtp.remote_host("550 Host unknown [192.0.2.9]") == "192.0.2.9"
    assert smtp.remote_host("550 Host unknown") is None


def test_reply_is_cut_at_its_code_and_joined() -> None:
    text = "host mx.example.net [192.0.2.1]: 550-5.1.1 first line\n550 5.1.1 second line"
    assert smtp.reply(text) == "550-5.1.1 first line second line"
    assert smtp.reply("no reply here") is None


def test_transcript_keeps_the_last_command_and_its_reply() -> None:
    rows = [">>> MAIL FROM:<a@example.org>", "<<< 250 ok", ">>> RCPT TO:<b@example.net>"]
    rows += ["<<< 550-5.1.1 no", "<<< 550 5.1.1 such user"]
    assert smtp.transcript(rows) == ("RCPT", "550-5.1.1 no such user")


def test_transcript_names_long_commands() -> None:
    assert smtp.transcript([">>> STARTTLS", "<<< 454 4.7.0 TLS not available"]) == (
        "STARTTLS",
        "454 4.7.0 TLS not available",
    )


def test_remote_host_needs_a_domain_name() -> None:
    assert smtp.remote_host("host mx.Example.NET[192.0.2.1] said: 550", "host") == "mx.example.net"
    assert smtp.remote_host("host: mail.example.com 5.2.2 full", "host") == "mail.example.com"
    assert smtp.remote_host("Remote host said: 550 5.1.1 unknown", "host") is None


def test_last_reply_is_the_remote_verdict_inside_a_wrapper() -> None:
    text = "554 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.2 Connection timed out>"
    assert smtp.last_reply(text) == ("421", "4.4.2")
    assert smtp.last_reply("5.1.0 - Unknown address error 550-'5.7.1 <a@example.net>... Access denied'") == (
        "550",
        "5.7.1",
    )
    assert smtp.last_reply("Connection timed out") is None


def test_a_multi_line_reply_inside_a_sentence_is_joined() -> None:
    text = "Remote host said:\n550-5.1.1 <a@example.net> no such\n550-5.1.1 user at this\n550 5.1.1 site [RCPT_TO]"
    facts = blocks.facts("a@example.net", text, read=True)
    assert facts.diagnostic == "Remote host said: 550-5.1.1 <a@example.net> no such user at this site [RCPT_TO]"
    assert (facts.status, facts.reply_code, facts.smtp_command) == ("5.1.1", "550", "RCPT")


def test_remote_host_is_the_host_next_to_its_address() -> None:
    assert smtp.remote_host("Server MX2.Example.NET[192.0.2.9] said: 550", "bracketed") == "mx2.example.net"
    assert smtp.remote_host("no host named here", "bracketed") is None


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("SMTP error from remote mail server after MAIL FROM:<a@example.org>: 550 rejected [DATA]", "MAIL"),
        ("550 rejected [DATA] (recipient address rejected)", "DATA"),
        ("550 5.1.1 <a@example.net>: Recipient address rejected (after end of data)", "DATA"),
        ("550 5.1.1 <a@example.net>: Recipient address rejected", "RCPT"),
        ("550 5.1.1 unknown user", None),
    ],
)
def test_one_reader_tries_sentence_then_phrase_then_hint(text: str, command: str | None) -> None:
    assert answered(text) == command


def test_a_step_asked_alone_reads_only_its_wording() -> None:
    text = "550 5.1.1 <a@example.net>: Recipient address rejected"
    assert answered(text, ("sentence", "phrase")) is None
    assert answered(text, ("hint",)) == "RCPT"


# The transcript reader (smtp.turns) in its two prefix styles.
_PF_SENT = re.compile(r"^ In:[ \t]{1,4}(.{0,2000})$")
_PF_RECEIVED = re.compile(r"^ Out:[ \t]{1,4}(.{0,2000})$")
_SM_SENT = re.compile(r"^>>> (.*)")
_SM_RECEIVED = re.compile(r"^<<< (.*)")
_SM_HOST = re.compile(r"(?i)^(?:\.\.\. )?while talking to ([A-Za-z0-9.\[\]:-]{1,255}?)\.?:\s{0,4}$")


def _postfix(text: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in smtp.turns(text.split("\n"), sent=_PF_SENT, received=_PF_RECEIVED)]


def _sendmail(text: str) -> list[tuple[str, str]]:
    turns = smtp.turns(text.split("\n"), sent=_SM_SENT, received=_SM_RECEIVED, host=_SM_HOST)
    return [(t.kind, t.text) for t in turns]


def test_turns_reads_the_postfix_style_with_its_multi_line_and_folded_turns() -> None:
    text = (
        " Out: 220 mx.example.org ESMTP\n In:  EHLO a.example.net\n Out: 250-mx.example.org\n"
        " Out: 250-SIZE 1000\n Out: 250 8BITMIME\n In:  MAIL\n     FROM:<a@example.net>\n"
        " Out: 354 go ahead\n Out: 451 4.3.0 write error"
    )
    assert _postfix(text) == [
        ("received", "220 mx.example.org ESMTP"),
        ("sent", "EHLO a.example.net"),
        ("received", "250-mx.example.org\n250-SIZE 1000\n250 8BITMIME"),
        ("sent", "MAIL\nFROM:<a@example.net>"),
        # back to back without "NNN-": two replies (pipelined), not one
        ("received", "354 go ahead"),
        ("received", "451 4.3.0 write error"),
    ]


def test_turns_reads_the_sendmail_style_with_hosts_and_verdicts_interleaved() -> None:
    text = (
        "... while talking to MX.Example.NET.:\n>>> RCPT To:<a@example.net>\n<<< 550-5.1.1 no such\n"
        "<<< 550 5.1.1 user\n550 5.1.1 <a@example.net>... User unknown\n"
        "... while talking to mx2.example.net.:\n>>> DATA\n<<< 554 rejected"
    )
    assert _sendmail(text) == [
        ("host", "mx.example.net"),
        ("sent", "RCPT To:<a@example.net>"),
        ("received", "550-5.1.1 no such\n550 5.1.1 user"),
        ("other", "550 5.1.1 <a@example.net>... User unknown"),
        ("host", "mx2.example.net"),
        ("sent", "DATA"),
        ("received", "554 rejected"),
    ]


def test_turns_ends_a_transcript_cut_off_mid_reply_with_the_lines_it_has() -> None:
    assert _sendmail(">>> DATA\n<<< 554-5.7.1 first\n<<< 554-5.7.1 second") == [
        ("sent", "DATA"), ("received", "554-5.7.1 first\n554-5.7.1 second"),
    ]
    assert _postfix(" In:  DATA\n Out: 554-5.7.1 first") == [("sent", "DATA"), ("received", "554-5.7.1 first")]
    assert list(smtp.turns([], sent=_PF_SENT, received=_PF_RECEIVED)) == []


def test_turns_ends_a_reply_at_a_line_that_is_not_part_of_it() -> None:
    # a verdict line between two "<<<" lines ends the first reply even if it said more follows
    assert _sendmail("<<< 550-a\nverdict\n<<< 550 b") == [
        ("received", "550-a"), ("other", "verdict"), ("received", "550 b"),
    ]


def test_turns_keeps_the_head_of_a_huge_reply_and_stays_bounded() -> None:
    line = "<<< 550-5.7.1 " + "x" * 60
    text = ">>> DATA\n" + "\n".join([line] * 50_000) + "\n<<< 550 5.7.1 end\n>>> QUIT"
    out = _sendmail(text)
    assert [kind for kind, _ in out] == ["sent", "received", "sent"]
    reply = out[1][1]
    assert reply.startswith("550-5.7.1 xxx")
    assert smtp.REPLY_MAX <= len(reply) < smtp.REPLY_MAX + len(line)
    assert out[2] == ("sent", "QUIT")
    folded = " In:  MAIL\n" + "\n".join(["     SIZE=1"] * 50_000)
    assert len(_postfix(folded)[0][1]) < smtp.REPLY_MAX + 20


def test_turns_never_takes_an_indented_command_or_reply_line_for_a_fold() -> None:
    # smtp.transcript's patterns allow leading blanks: an indented ">>>" or "<<<" line is its own turn
    rows = ["      >>> RCPT TO:<a@example.net>", "      <<< 250 ok", "      >>> DATA", "      <<< 554 no"]
    assert smtp.transcript(rows) == ("DATA", "554 no")
    multi = ["   >>> DATA", "   <<< 554-5.7.1 one", "   <<< 554 5.7.1 two"]
    assert smtp.transcript(multi) == ("DATA", "554-5.7.1 one two")
