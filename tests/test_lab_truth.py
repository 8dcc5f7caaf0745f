"""Unit tests of the lab's truth helpers (no root, no MTA: the lab itself is not run by CI)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from lab import truth

ROOT = Path(__file__).resolve().parent.parent

DSN = b"""\
From: MAILER-DAEMON@mta.example.net
Subject: Undelivered Mail
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b"

--b
Content-Type: text/plain

Your message could not be delivered.

--b
Content-Type: message/delivery-status

Reporting-MTA: dns; mta.example.net

Final-Recipient: rfc822; a@example.com
Action: failed
Status: 5.0.0
Diagnostic-Code: smtp; 550 sorry, no mailbox here by that name

Final-Recipient: rfc822; b@example.com
Action: failed
Status: 5.2.2
Diagnostic-Code: smtp; 552-5.2.2 mailbox
    552 5.2.2 full

--b--
"""


def test_bounce_type_falls_back_like_the_code_table():
    table = truth.code_table()
    assert truth.bounce_type("5.1.1", table) == "hard"
    assert truth.bounce_type("5.2.2", table) == "soft"
    assert truth.bounce_type("4.4.7", table) == "soft"
    assert truth.bounce_type("5.1.99", table) == table.get("5.1.0", "hard")


def test_dsn_groups_in_report_order():
    groups = truth.dsn_groups(DSN)
    assert [truth._addr(g["final-recipient"]) for g in groups] == ["a@example.com", "b@example.com"]
    assert truth.group_for(groups, "B@example.com")[0] == 1


def test_quotes_needs_the_reply_and_its_enhanced_code():
    text = DSN.decode().lower()
    assert truth.quotes(text, "552", "5.2.2")
    assert truth.quotes(text, "550", "report")
    assert not truth.quotes(text, "452", "4.2.2")


def test_expected_takes_report_status_orders_and_filters_records():
    case = {
        "name": "x",
        "kind": "failure",
        "record": [
            {"recipient": "b@example.com", "action": "failed", "status": "5.2.2", "reply_code": "552",
             "reason": "mailboxfull"},
            {"recipient": "c@example.com", "action": "failed", "status": "report", "reason": "hostunknown"},
            {"recipient": "a@example.com", "action": "failed", "status": "report", "reply_code": "550",
             "reason": "userunknown"},
        ],
    }
    exp = truth.expected(case, "postfix", "mta.example.net", DSN, truth.code_table(), delay=False)
    assert exp["kind"] == "failure"
    assert [r["recipient"] for r in exp["records"]] == ["a@example.com", "b@example.com"]
    assert exp["records"][0]["status"] == "5.0.0" and exp["records"][0]["bounce_type"] == "hard"
    assert exp["records"][1]["bounce_type"] == "soft"


def test_unquoted_remote_reply_falls_back_to_the_report():
    case = {
        "name": "q",
        "kind": "failure",
        "expires": True,
        "delay_reason": "mailboxfull",
        "record": [
            {"recipient": "a@example.com", "action": "failed", "status": "4.2.2", "reply_code": "452",
             "reason": "mailboxfull"}
        ],
    }
    exp = truth.expected(case, "postfix", "mta.example.net", DSN, truth.code_table(), delay=False)
    rec = exp["records"][0]
    assert rec["status"] == "5.0.0" and "reply_code" not in rec and rec["reason"] == "expired"
    delay = truth.expected(case, "postfix", "mta.example.net", DSN, truth.code_table(), delay=True)
    assert delay["kind"] == "delay" and delay["records"][0]["action"] == "delayed"
    # the delay notice does not quote the 452 either: its reason cannot be the reply's
    assert delay["records"][0]["reason"] == "expired" and delay["records"][0]["bounce_type"] is None


def test_scenario_file_is_complete():
    with open(ROOT / "lab" / "scenarios.toml", "rb") as fh:
        scen = tomllib.load(fh)
    names = [c["name"] for c in scen["case"]]
    assert len(names) == len(set(names)) >= 20
    for c in scen["case"]:
        assert c["kind"] in ("failure", "delay")
        for r in c["record"]:
            assert {"recipient", "action", "status", "reason"} <= set(r)
