"""Classification: the reason vocabulary, the order of trust, provider rules, canonical codes and
the suppression advice."""

from __future__ import annotations

import dataclasses
import json

import pytest

from dsnparse.classify import COMPUTED, CONTEXT_FIELDS, FROM_FACTS, Context, explain, suppress, to_record
from dsnparse.classify.codes import NO_CODE, CodeTable
from dsnparse.classify.providers import table as provider_table
from dsnparse.classify.reasons import from_status, smtp_command, vocabulary
from dsnparse.facts import Facts
from dsnparse.record import FIELDS, BounceRecord, Kind, assemble

from .conftest import FIXTURES

SISIMAI_REASONS = {
    "userunknown", "hostunknown", "hasmoved", "suspend", "mailboxfull", "emailtoolarge", "ratelimited",
    "filtered", "rejected", "blocked", "badreputation", "requireptr", "authfailure", "spamdetected",
    "virusdetected", "contenterror", "policyviolation", "securityerror", "failedstarttls", "norelaying",
    "notaccept", "notcompliantrfc", "syntaxerror", "systemerror", "systemfull", "networkerror",
    "mailererror", "expired", "suppressed", "onhold", "undefined", "delivered", "vacation", "feedback",
}


def reason(**kw: str) -> str:
    return explain(Facts(**kw)).reason


def record(facts: Facts, table: CodeTable | None = None) -> dict[str, object]:
    return to_record(facts, Kind.FAILURE, Context(), table or CodeTable.default()).to_dict()


# -- vocabulary ---------------------------------------------------------------------------------


def test_vocabulary_is_exactly_sisimais_current_names() -> None:
    assert set(vocabulary()) == SISIMAI_REASONS


def test_every_reason_is_documented_in_one_line() -> None:
    for name, row in vocabulary().items():
        assert row.description and "\n" not in row.description, name


def test_every_reason_a_rule_can_give_is_in_the_vocabulary() -> None:
    names = set(vocabulary())
    given = {rule.reason for provider in provider_table() for rule in provider.rules}
    for row in vocabulary().values():
        given |= row.yields_to - {"*"}
        given |= row.holds_against
        if row.when_temporary:
            given.add(row.when_temporary)
    assert given <= names


def test_every_fixture_record_uses_the_vocabulary() -> None:
    names = set(vocabulary())
    seen = 0
    for path in FIXTURES.glob("*/*.json"):
        for rec in json.loads(path.read_text(encoding="utf-8"))["records"]:
            if "reason" in rec:  # a fixture may assert only some fields
                assert rec["reason"] in names, (path.name, rec["reason"])
                seen += 1
    assert seen > 20


def test_an_unknown_decoder_reason_is_not_passed_through() -> None:
    rec = to_record(Facts(recipient="a@example.com", reason="receipt"), Kind.RECEIPT, Context(), CodeTable.default())
    assert rec.reason == "delivered"
    assert explain(Facts(reason="bogus", status="5.1.1")).reason == "userunknown"


def test_status_rows_name_vocabulary_reasons() -> None:
    for status in ("5.1.1", "5.2.2", "5.7.26", "4.4.7", "5.7.1", "5.6.3"):
        assert from_status(status) in vocabulary()


# -- order of trust -----------------------------------------------------------------------------


def test_decoder_verdict_comes_first() -> None:
    assert reason(status="5.1.1", diagnostic="550 5.1.1 user unknown", reason="suspend") == "suspend"


def test_provider_rule_beats_the_registry_meaning() -> None:
    gmail = Facts(status="5.7.26", diagnostic="550 5.7.26 unauthenticated", remote_mta="mx.gmail.com")
    assert explain(gmail).reason == "authfailure"
    assert explain(gmail).rule == "provider:google"


def test_precise_status_holds_against_a_vague_phrase() -> None:
    assert reason(status="5.1.6", diagnostic="550 5.1.6 user unknown here, see the new address") == "hasmoved"
    assert reason(status="5.7.26", diagnostic="550 5.7.26 blocked: unauthenticated") == "authfailure"


def test_vague_status_yields_to_the_phrase() -> None:
    assert reason(status="5.7.1", diagnostic="554 5.7.1 Relay access denied") == "norelaying"
    assert reason(status="5.0.0", diagnostic="550 5.0.0 mailbox is full") == "mailboxfull"


def test_status_alone_decides_when_the_text_says_nothing() -> None:
    assert reason(status="5.1.1", diagnostic="550 5.1.1 see https://example.com/why") == "userunknown"
    assert reason(status="5.7.1", diagnostic="") == "securityerror"


def test_user_unknown_status_yields_to_a_more_specific_phrase() -> None:
    assert reason(status="5.1.1", diagnostic="550 5.1.1 sender address rejected: domain not found") == "rejected"


def test_phrase_tables_cover_several_languages() -> None:
    assert reason(diagnostic="550 Postfach voll", smtp_command="RCPT") == "mailboxfull"
    assert reason(diagnostic="550 utilisateur inconnu", smtp_command="RCPT") == "userunknown"
    assert reason(diagnostic="554 用户不存在", smtp_command="RCPT") == "userunknown"


# -- guards and fallbacks -----------------------------------------------------------------------


def test_user_unknown_at_rcpt_is_userunknown() -> None:
    assert reason(diagnostic="550 User unknown", smtp_command="RCPT") == "userunknown"


def test_user_unknown_at_data_is_filtered() -> None:
    decision = explain(Facts(diagnostic="550 User unknown", smtp_command="DATA"))
    assert decision.reason == "filtered"
    assert decision.rule.startswith("guard")


def test_user_unknown_without_command_or_status_is_filtered() -> None:
    assert reason(diagnostic="550 User unknown") == "filtered"
    assert reason(diagnostic="550 5.1.1 User unknown") == "filtered"  # the code is in the text only
    assert reason(diagnostic="550 5.1.1 User unknown", status="5.1.1") == "userunknown"


def test_command_is_read_from_the_diagnostic_when_the_decoder_did_not_set_it() -> None:
    assert smtp_command(Facts(diagnostic="host x said: 550 no such user (in reply to RCPT TO command)")) == "RCPT"
    assert smtp_command(Facts(diagnostic="SMTP error from remote mail server after end of data")) == "DATA"
    assert smtp_command(Facts(diagnostic="550 no", smtp_command="rcpt")) == "RCPT"
    assert reason(diagnostic="550 User unknown (in reply to RCPT TO command)") == "userunknown"


def test_address_status_answering_mail_from_is_the_senders() -> None:
    assert reason(status="5.1.1", diagnostic="553 5.1.1 no such user", smtp_command="MAIL") == "rejected"


def test_vague_refusal_at_connect_is_blocked() -> None:
    assert reason(status="5.7.1", diagnostic="554 5.7.1 access denied", smtp_command="CONN") == "blocked"
    assert reason(reply_code="554", diagnostic="554 go away", smtp_command="HELO") == "blocked"


def test_temporary_dns_failure_is_networkerror_not_hostunknown() -> None:
    assert reason(status="5.1.2", diagnostic="550 5.1.2 Host not found") == "hostunknown"
    assert reason(status="4.4.4", diagnostic="451 4.4.4 host not found, try again") == "networkerror"


def test_fallbacks() -> None:
    assert reason(diagnostic_type="X-Unix", diagnostic="something odd") == "mailererror"
    assert reason(reply_code="501", diagnostic="501 eh?") == "syntaxerror"
    assert reason(reply_code="556", diagnostic="556 sorry") == "notaccept"
    assert reason(reply_code="535", diagnostic="535 no") == "securityerror"
    assert reason(action="delayed") == "expired"


def test_onhold_when_thin_undefined_when_empty() -> None:
    assert explain(Facts(status="5.0.0", diagnostic="550 refused")).reason == "onhold"
    assert explain(Facts(diagnostic="see attachment")).reason == "onhold"
    assert explain(Facts()).reason == "undefined"


# -- provider rules -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (Facts(status="5.4.1", diagnostic="550 5.4.1 Recipient address rejected: Access denied",
               remote_mta="x.mail.protection.outlook.com"), "userunknown"),
        (Facts(status="5.7.509", diagnostic="550 5.7.509 Access denied", remote_mta="x.outlook.com"), "authfailure"),
        (Facts(status="5.7.606", diagnostic="550 5.7.606 Access denied, banned sending IP",
               remote_mta="x.mail.protection.outlook.com"), "blocked"),
        (Facts(status="5.1.1", diagnostic="550 5.1.1 has sent to too many recipients this hour. IB607",
               remote_mta="smtp.secureserver.net"), "ratelimited"),
        (Facts(status="5.7.28", diagnostic="421 unusual rate", remote_mta="gmail-smtp-in.l.google.com"),
         "spamdetected"),
        (Facts(status="5.1.0", diagnostic="550 5.1.0 sender rejected. AUP#CXBL "
               "https://www.cox.com/residential/support/email-error-codes.html"), "blocked"),
        (Facts(diagnostic="550 5.1.1 RCP-P2 http://postmaster.facebook.com/response_codes"), "filtered"),
        (Facts(diagnostic="550 : User unknown", remote_mta="lsean.ezweb.ne.jp"), "filtered"),
        (Facts(diagnostic="550 <a@ezweb.ne.jp>: User unknown", remote_mta="lsean.ezweb.ne.jp"), "userunknown"),
    ],
)
def test_provider_rules(facts: Facts, expected: str) -> None:
    assert explain(facts).reason == expected


def test_provider_is_recognised_by_the_recipient_domain() -> None:
    facts = Facts(status="5.7.26", diagnostic="550 5.7.26 failed")
    assert explain(facts, recipient_domain="gmail.com").reason == "authfailure"
    assert explain(facts, recipient_domain="example.com").reason == "authfailure"  # the registry agrees
    thin = Facts(status="5.7.1", diagnostic="554 5.7.1 message refused, [TSS04] deferred")
    assert explain(thin, recipient_domain="example.com").reason == "securityerror"
    assert explain(thin, recipient_domain="yahoo.com").reason == "badreputation"


def test_a_host_only_resembling_a_provider_is_not_it() -> None:
    facts = Facts(status="5.4.1", diagnostic="550 5.4.1 access denied", remote_mta="notoutlook.com.example.net")
    assert explain(facts).reason != "userunknown"


# -- bounce code and type -----------------------------------------------------------------------


def test_bounce_code_is_the_status_when_there_is_one() -> None:
    rec = record(Facts(recipient="a@example.com", status="5.2.2", diagnostic="552 5.2.2 full"))
    assert (rec["bounce_code"], rec["bounce_type"], rec["reason"]) == ("5.2.2", "soft", "mailboxfull")


@pytest.mark.parametrize(
    ("diagnostic", "reply", "code"),
    [
        ("mailbox is full", None, "5.2.2"),
        ("mailbox is full", "452", "4.2.2"),
        ("relay access denied", None, "5.7.1"),
        ("procmail: exit code 75", None, "5.3.0"),
    ],
)
def test_without_status_the_reason_gives_the_canonical_code(diagnostic: str, reply: str | None, code: str) -> None:
    rec = record(Facts(recipient="a@example.com", diagnostic=diagnostic, reply_code=reply, smtp_command="RCPT"))
    assert rec["bounce_code"] == code


def test_delay_without_status_gets_a_temporary_canonical_code() -> None:
    facts = Facts(recipient="a@example.com", action="delayed", diagnostic="mailbox is full, will retry")
    rec = to_record(facts, Kind.DELAY, Context(), CodeTable.default())
    assert (rec.reason, rec.bounce_code, rec.bounce_type) == ("mailboxfull", "4.2.2", None)


def test_nothing_to_go_on_is_9_1_1() -> None:
    rec = record(Facts(recipient="a@example.com"))
    assert (rec["bounce_code"], rec["reason"]) == (NO_CODE, "undefined")
    thin = record(Facts(recipient="a@example.com", reply_code="550", diagnostic="550 no"))
    assert (thin["bounce_code"], thin["reason"]) == ("5.0.0", "onhold")


def test_bounce_type_stays_the_tables_verdict() -> None:
    table = CodeTable.from_text("5.2.2,Hard,full is hard here", base=CodeTable.default())
    rec = record(Facts(recipient="a@example.com", status="5.2.2", diagnostic="552 5.2.2 full"), table)
    assert rec["bounce_type"] == "hard"
    assert rec["description"] == "full is hard here"


# -- suppress -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (Facts(status="5.1.1", diagnostic="550 5.1.1 user unknown"), True),
        (Facts(status="5.1.6", diagnostic="550 5.1.6 recipient no longer on server"), True),
        (Facts(status="5.1.2", diagnostic="550 5.1.2 Host or domain name not found. NXDOMAIN"), True),
        (Facts(status="5.1.2", diagnostic="550 5.1.2 bad destination system"), False),  # no DNS evidence
        (Facts(status="5.1.10", diagnostic="550 5.1.10 domain publishes a null MX"), True),
        (Facts(status="5.7.27", diagnostic="550 5.7.27 sender address has null MX"), False),
        (Facts(status="5.4.4", diagnostic="553 5.4.4 mail from domain not found: NXDOMAIN"), False),
        (Facts(status="5.7.1", diagnostic="554 5.7.1 blocked, see spamhaus"), False),
        (Facts(status="5.7.26", diagnostic="550 5.7.26 DMARC policy"), False),
        (Facts(status="5.1.1", diagnostic="550 5.1.1 too many recipients this hour IB607",
               remote_mta="smtp.secureserver.net"), False),
        (Facts(status="5.2.2", diagnostic="552 mailbox full"), False),
        (Facts(status="4.1.1", diagnostic="450 4.1.1 user unknown, try later"), False),
    ],
)
def test_suppress_only_when_the_address_is_dead(facts: Facts, expected: bool) -> None:
    facts.recipient = "a@example.com"
    assert record(facts)["suppress"] is expected


def test_suppress_follows_a_user_table_that_marks_an_address_reason_hard() -> None:
    hard = CodeTable.from_text("5.2.1,Hard,disabled", base=CodeTable.default())
    facts = Facts(recipient="a@example.com", status="5.2.1", diagnostic="550 5.2.1 account disabled")
    assert record(facts)["suppress"] is False
    assert record(facts, hard)["suppress"] is True
    assert suppress("blocked", "5.7.1", "anything", CodeTable.default()) is False
    assert suppress("userunknown", "4.1.1", "user unknown", CodeTable.default()) is False


def test_a_dead_address_is_suppressed_even_under_a_soft_code() -> None:
    facts = Facts(recipient="a@example.com", status="5.2.1", diagnostic="550 5.2.1 <a@example.com>... User Unknown")
    rec = record(facts)
    assert (rec["reason"], rec["bounce_type"], rec["suppress"]) == ("userunknown", "soft", True)


def test_a_suspension_under_a_generic_hard_code_is_not_suppressed() -> None:
    facts = Facts(recipient="a@example.com", status="5.7.1", diagnostic="550 5.7.1 user temporary locked, try later")
    rec = record(facts)
    assert (rec["reason"], rec["bounce_type"], rec["suppress"]) == ("suspend", "hard", False)


def test_non_failures_never_suppress_nor_get_a_type() -> None:
    facts = Facts(recipient="a@example.com", action="delayed", status="4.2.2", diagnostic="452 4.2.2 full")
    rec = to_record(facts, Kind.DELAY, Context(), CodeTable.default())
    assert (rec.bounce_type, rec.suppress, rec.reason) == (None, False, "mailboxfull")
    vac = to_record(Facts(recipient="a@example.com", reason="vacation"), Kind.AUTOREPLY, Context(), CodeTable.default())
    assert (vac.bounce_type, vac.suppress, vac.reason, vac.bounce_code) == (None, False, "vacation", None)


# -- the examples of the README (Hard/soft and suppression) ------------------------------------

GMAIL = "gmail-smtp-in.l.google.com"
O365 = "x.mail.protection.outlook.com"


@pytest.mark.parametrize(
    ("facts", "hard_5_2_1", "expected"),
    [
        (Facts(status="5.1.1", diagnostic="550 5.1.1 <a@example.com>: Recipient address rejected: User unknown"),
         False, ("5.1.1", "hard", "userunknown", True)),
        (Facts(status="5.1.6", diagnostic="550 5.1.6 recipient no longer on server"),
         False, ("5.1.6", "hard", "hasmoved", True)),
        (Facts(status="5.4.4", diagnostic="Host or domain name not found. Name service error: NXDOMAIN"),
         False, ("5.4.4", "hard", "hostunknown", True)),
        (Facts(status="5.4.1", diagnostic="550 5.4.1 Recipient address rejected: Access denied", remote_mta=O365),
         False, ("5.4.1", "hard", "userunknown", True)),
        (Facts(status="5.1.1", diagnostic="550 5.1.1 has sent to too many recipients this hour. IB607",
               remote_mta="smtp.secureserver.net"), False, ("5.1.1", "hard", "ratelimited", False)),
        (Facts(status="5.7.26", diagnostic="550 5.7.26 Unauthenticated email: DMARC policy", remote_mta=GMAIL),
         False, ("5.7.26", "hard", "authfailure", False)),
        (Facts(status="5.7.1", diagnostic="554 5.7.1 client host blocked using zen.spamhaus.org"),
         False, ("5.7.1", "hard", "blocked", False)),
        (Facts(status="5.2.2", diagnostic="552 5.2.2 Mailbox full"), False, ("5.2.2", "soft", "mailboxfull", False)),
        (Facts(status="5.2.1", diagnostic="550 5.2.1 account disabled"), False, ("5.2.1", "soft", "suspend", False)),
        (Facts(status="5.2.1", diagnostic="550 5.2.1 account disabled"), True, ("5.2.1", "hard", "suspend", True)),
        (Facts(status="4.1.1", diagnostic="450 4.1.1 user unknown"), False, ("4.1.1", "soft", "userunknown", False)),
        (Facts(reply_code="550", diagnostic="550 User unknown", smtp_command="DATA"),
         False, ("5.2.0", "soft", "filtered", False)),
    ],
)
def test_documented_examples(facts: Facts, hard_5_2_1: bool, expected: tuple[str, str, str, bool]) -> None:
    table = CodeTable.from_text("5.2.1,Hard,disabled", base=CodeTable.default()) if hard_5_2_1 else None
    facts.recipient = "a@example.com"
    rec = record(facts, table)
    assert (rec["bounce_code"], rec["bounce_type"], rec["reason"], rec["suppress"]) == expected


def test_every_record_field_is_filled_by_exactly_one_source() -> None:
    sources = FROM_FACTS + CONTEXT_FIELDS + COMPUTED
    assert sorted(sources) == sorted(FIELDS)
    assert len(set(sources)) == len(sources)


def test_assemble_builds_what_the_keyword_constructor_builds_and_only_from_every_field() -> None:
    values = {name: f"v-{i}" for i, name in enumerate(FIELDS)}
    values.update(kind=Kind.FAILURE, headers={"x-campaign-id": "7"}, flags=("gave-up",), suppress=True)
    built = assemble(values)
    assert built == BounceRecord(**values)
    assert built.to_dict() == BounceRecord(**values).to_dict()
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.reason = "other"  # type: ignore[misc]
    with pytest.raises(TypeError, match="recipient"):
        assemble({k: v for k, v in values.items() if k != "recipient"})
    with pytest.raises(TypeError, match="colour"):
        assemble({**values, "colour": "red"})
    with pytest.raises(TypeError, match="colour"):
        assemble({**{k: v for k, v in values.items() if k != "recipient"}, "colour": "red"})


def test_a_provider_rule_keeps_sisimais_reason_and_says_its_own_reading() -> None:
    # Gmail 5.7.28: Sisimai's status map says spamdetected, Google documents a rate limit
    facts = Facts(status="5.7.28", diagnostic="550 5.7.28 unusual rate of unsolicited email",
                  remote_mta="gmail-smtp-in.l.google.com")
    decision = explain(facts)
    assert (decision.reason, decision.own_reason) == ("spamdetected", "ratelimited")
    # where the two agree there is no own reading
    assert explain(Facts(status="4.2.2", diagnostic="452 4.2.2 inbox is out of storage space",
                         remote_mta="gmail-smtp-in.l.google.com")).own_reason is None
