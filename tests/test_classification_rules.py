"""The pipeline semantics of docs/classification-rules.md: finality (given up / still trying),
expiry against the last reply, the one status rule, inferred status codes, SMTP-stage rules, and
the record fields and flags they add (``last_reason``, ``gave-up``, ``status:inferred``)."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest

import dsnparse
from dsnparse import finality
from dsnparse.classify import expiry, inferred
from dsnparse.facts import Facts
from dsnparse.io.sinks import CsvSink
from dsnparse.io.store import PARSED, Entry, MessageKey, Store
from dsnparse.record import FIELDS
from dsnparse.standard.dsn import choose_status, remote_reply

from .conftest import dsn_bytes as _dsn


def _one(raw: bytes) -> dsnparse.BounceRecord:
    [record] = dsnparse.parse(raw).records
    return record


# -- finality -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("texts", "notice", "expected"),
    [
        (("bob@example.net: Envelope expired",), False, "gave-up"),
        (("mailbox is full: retry timeout exceeded",), False, "gave-up"),
        (("Envelope expired", "this is only a temporary failure report"), False, "gave-up"),
        (("Warning: message still undelivered after 4 hours",), False, "retrying"),
        # a delay template says how long delivery has failed so far: keep-trying wins there
        (("Your message could not be delivered for more than 4 hours. It will be retried until it is "
          "5 days old.",), True, "retrying"),
        (("Message could not be delivered for 5 days",), True, "gave-up"),
        (("550 5.1.1 user unknown",), False, None),
    ],
)
def test_finality_reads_give_up_and_keep_trying_wordings(texts: tuple[str, ...], notice: bool,
                                                         expected: str | None) -> None:
    assert finality.verdict(*texts, notice=notice) == expected


def test_a_give_up_on_a_delay_template_is_a_failure() -> None:
    raw = _dsn("4.4.7", None, action="delayed", text="Delivery to bob: Envelope expired")
    report = dsnparse.parse(raw.replace(b"Status: 4.4.7", b"Status: 4.4.7 (Envelope expired)"))
    assert report.kind is dsnparse.Kind.FAILURE
    assert report.records[0].action == "failed"


def test_a_keep_trying_notice_without_action_is_a_delay() -> None:
    raw = _dsn("4.4.1", "smtp; 421 4.4.1 try later", text="Will keep trying until message is 5 days old")
    record = _one(raw.replace(b"Action: failed\n", b""))
    assert (record.action, record.reason) == ("delayed", "expired")


def test_a_delayed_recipient_beside_a_failed_one_stays_delayed() -> None:
    raw = _dsn("5.1.1", "smtp; 550 5.1.1 no such user", text="Delivery time expired for some recipients")
    raw = raw.replace(b"\n--B--", b"Final-Recipient: rfc822; cy@example.net\nAction: delayed\nStatus: 4.4.1\n\n--B--")
    report = dsnparse.parse(raw)
    assert [r.action for r in report.records] == ["failed", "delayed"]


# -- expiry and the last reply ------------------------------------------------------------------


def test_expired_keeps_the_last_replys_reason() -> None:
    record = _one(_dsn("4.4.1", "x-postfix; connect to mx.example.net[192.0.2.1]:25: Connection timed out"))
    assert (record.reason, record.last_reason) == ("expired", "networkerror")
    assert expiry.FLAG not in record.flags


def test_a_given_up_mailbox_full_is_mailboxfull_flagged_gave_up() -> None:
    record = _one(_dsn("4.2.2", "smtp; 452 4.2.2 Mailbox full"))
    assert (record.reason, record.last_reason, record.status) == ("mailboxfull", None, "4.2.2")
    assert expiry.FLAG in record.flags


def test_an_expiry_status_yields_to_a_first_pass_reason_of_the_reply() -> None:
    record = _one(_dsn("4.4.7", "smtp; 554 4.4.7 Message expired: 452 mailbox full"))
    assert record.reason == "mailboxfull" and expiry.FLAG in record.flags


@pytest.mark.parametrize(
    ("diagnostic", "reason", "last_reason"),
    [
        # a refused connection or a failed lookup is a more specific cause than the queue timeout
        ("x-postfix; connect to mx.example.net[192.0.2.1]:25: Connection refused", "networkerror", None),
        ("smtp; 451 4.3.0 <ben@example.net>: Temporary lookup failure", "systemerror", None),
        # "the remote did not answer in time" is what an expiry is made of
        ("x-postfix; connect to mx.example.net[192.0.2.1]:25: Connection timed out", "expired", "networkerror"),
        ("smtp; 421 unable to connect to the destination: Network is unreachable", "expired", "networkerror"),
    ],
)
def test_an_expiry_takes_the_cause_its_last_reply_names(diagnostic: str, reason: str, last_reason: str | None) -> None:
    record = _one(_dsn("4.4.1", diagnostic))
    assert (record.reason, record.last_reason) == (reason, last_reason)
    assert (expiry.FLAG in record.flags) == (reason != "expired")


def test_a_bare_421_given_up_is_a_greeting_stage_block_even_under_a_generic_5_0_0() -> None:
    # Courier writes 5.0.0 over the remote's reply; a failure whose last reply is RFC 5321's 421
    # failed at the greeting, which Sisimai's second pass calls blocked (reasons.md 3.1)
    record = _one(_dsn("5.0.0", "unknown; 421 mx.example.net Service not available, closing transmission channel"))
    assert record.reason == "blocked"
    delayed = _one(_dsn("4.0.0", "smtp; 421 mx.example.net Service not available").replace(
        b"Action: failed", b"Action: delayed"))
    assert delayed.reason == "expired"  # a delay with nothing more: the delayed fallback comes first


def test_a_final_4xx_with_no_stage_and_no_words_stays_onhold() -> None:
    assert _one(_dsn("4.0.0", "smtp; 450 4.0.0 Temporary failure")).reason == "onhold"


def test_host_unknown_from_the_recipients_own_mta_is_user_unknown() -> None:
    raw = _dsn("5.0.0", None, text="Unrouteable address").replace(
        b"ben@example.net", b"ben@mx.example.org"
    ).replace(b"Status: 5.0.0", b"Status: 5.0.0 (Unrouteable address)")
    assert _one(raw).reason == "userunknown"
    other = _dsn("5.0.0", None).replace(b"Status: 5.0.0", b"Status: 5.0.0 (Unrouteable address)")
    assert _one(other).reason == "hostunknown"


def test_split_leaves_other_reasons_alone() -> None:
    assert expiry.split(Facts(diagnostic="user unknown"), "userunknown", False) == expiry.Split("userunknown")
    assert expiry.split(Facts(diagnostic="x"), "expired", True) == expiry.Split("expired", None, False)


def test_an_immediate_rejection_is_not_flagged_gave_up() -> None:
    record = _one(_dsn("5.1.1", "smtp; 550 5.1.1 no such user"))
    assert expiry.FLAG not in record.flags and record.last_reason is None


# -- the status rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "diagnostic", "expected"),
    [
        ("5.0.0", "452 4.2.2 <x@example.net>: Mailbox full", ("4.2.2", "452")),
        ("5.1.0", "5.1.0 - Unknown address error 550-'5.4.1 Recipient address rejected'", ("5.4.1", "550")),
        ("4.4.7", "554 4.4.7 Message expired <421 4.4.2 Connection timed out>", ("4.4.2", "421")),
        ("5.1.1", "550 5.0.0 nope", ("5.1.1", "550")),  # a vaguer remote code never wins
        ("5.0.0", "failed, see 5.2.2", ("5.2.2", None)),
        ("4.0.0", "failed, see 5.2.2", ("4.0.0", None)),
    ],
)
def test_one_rule_for_the_status_field_and_the_diagnostic(field: str, diagnostic: str,
                                                          expected: tuple[str, str | None]) -> None:
    assert choose_status(field, diagnostic) == expected


def test_remote_reply_needs_a_reply_code_of_the_same_class() -> None:
    assert remote_reply("550 4.2.2 odd") is None
    assert remote_reply("no reply here 5.1.1") is None


# -- inferred status ----------------------------------------------------------------------------


def test_words_only_get_the_standard_code_of_the_reason_flagged_inferred() -> None:
    raw = (b"From: postmaster@mail.example.net\nTo: ann@example.com\nSubject: Mail delivery failed\n\n"
           b"Your message could not be delivered to:\n\n    pat@example.net\n    Reason: mailbox quota exceeded\n")
    record = _one(raw)
    assert (record.reason, record.status, record.bounce_code) == ("mailboxfull", None, "5.2.2")
    assert inferred.FLAG in record.flags


@pytest.mark.parametrize(
    ("facts", "delay", "retried", "expected"),
    [
        (Facts(), False, False, "5.2.2"),
        (Facts(), True, False, "4.2.2"),
        (Facts(), False, True, "4.2.2"),  # X.2.2 is a persistent transient condition (RFC 3463)
        (Facts(reply_code="552"), True, False, "5.2.2"),
        (Facts(diagnostic="temporary problem with the mailbox"), False, False, "4.2.2"),
    ],
)
def test_the_inferred_class_follows_finality(facts: Facts, delay: bool, retried: bool, expected: str) -> None:
    assert inferred.infer("mailboxfull", facts, delay=delay, retried=retried) == expected


def test_a_retried_reason_that_is_not_transient_only_stays_permanent() -> None:
    assert inferred.infer("hostunknown", Facts(), delay=False, retried=True) == "5.1.2"
    assert inferred.infer("delivered", Facts(), delay=False, retried=False) is None


def test_inferred_codes_are_registered_never_private() -> None:
    codes = {code for row in inferred.table().values() for code in row[:2]}
    assert all(code.split(".")[1] != "9" and not code.split(".")[2].startswith("9") for code in codes)
    assert set(inferred.table()) <= set(dsnparse.classify.reasons.vocabulary())


def test_a_found_status_is_not_flagged_inferred() -> None:
    record = _one(_dsn("5.1.1", "smtp; 550 5.1.1 no such user"))
    assert inferred.FLAG not in record.flags


# -- SMTP stage -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("diagnostic", "expected"),
    [
        ('x-postfix; unknown user: "ben"', "userunknown"),  # the sending MTA's own local delivery
        ("x-unix; User <ben@example.net> unknown", "userunknown"),
        ("smtp; 550 user unknown", "filtered"),  # a remote's reply with no stage: Sisimai's filtered
        ("smtp; 451 4.3.0 <ben@example.net>: Temporary lookup failure", "systemerror"),
    ],
)
def test_stage_rules(diagnostic: str, expected: str) -> None:
    assert _one(_dsn("5.0.0", diagnostic)).reason == expected


# -- the new field in every output ----------------------------------------------------------------


def test_last_reason_follows_reason_in_the_contract_order() -> None:
    assert FIELDS.index("last_reason") == FIELDS.index("own_reason") + 1 == FIELDS.index("reason") + 2


def test_csv_and_store_carry_last_reason(tmp_path: Path) -> None:
    record = _one(_dsn("4.4.1", "x-postfix; connect to mx.example.net[192.0.2.1]:25: Connection timed out"))
    out = io.StringIO()
    sink = CsvSink(out)
    sink.write(record.to_dict())
    [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["last_reason"] == "networkerror"
    path = str(tmp_path / "s.sqlite")
    with Store(path) as store:
        store.add([Entry(MessageKey("m"), PARSED, report=dsnparse.parse(_dsn("4.4.1", "x-unix; timed out")))])
        [(_, stored)] = list(store.records())
    assert stored.last_reason == "networkerror"


def test_an_older_store_gains_the_missing_columns(tmp_path: Path) -> None:
    path = str(tmp_path / "old.sqlite")
    Store(path).close()
    db = sqlite3.connect(path)
    for column in ("last_reason", "own_reason"):  # the fields added after the first schema
        db.execute(f"ALTER TABLE records DROP COLUMN {column}")
    db.commit()
    db.close()
    with Store(path) as store:
        store.add([Entry(MessageKey("m"), PARSED, report=dsnparse.parse(_dsn("4.4.1", "x-unix; timed out")))])
        [(_, stored)] = list(store.records())
    assert stored.reason == "expired"
