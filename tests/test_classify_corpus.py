"""Reason agreement with the shared Sisimai corpus (skipped when ../shared is absent).

Measures classification alone: among the records whose recipient dsnparse reports, the share
whose reason is the corpus's (on Sisimai's newest names). A regression gate, not a target: the
full figure, detection included, is ``../shared/eval/score.py``'s.
"""

from __future__ import annotations

import json

import pytest

from dsnparse import parse

from .conftest import CORPUS

ALIASES = {"toomanyconn": "ratelimited", "speeding": "ratelimited", "mesgtoobig": "emailtoolarge",
           "exceedlimit": "emailtoolarge"}
MIN_AGREEMENT = 0.96
# One reading differs from Sisimai's on purpose (docs/classification-rules.md, "Where dsnparse
# reads differently from Sisimai"): Sendmail's "Connection refused by <host>" is networkerror, not
# blocked (issue 11, cause 5: a refused TCP connection is a network failure).


@pytest.mark.skipif(not (CORPUS / "truth.jsonl").exists(), reason="shared corpus not present")
def test_reason_agreement_on_the_corpus() -> None:
    compared = agreed = 0
    misses: list[str] = []
    for line in (CORPUS / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        truth = json.loads(line)
        if not truth["records"] or not truth["file"].startswith("maildir/bsd/"):
            continue
        report = parse((CORPUS / truth["file"]).read_bytes())
        mine = {(r.recipient or "").lower(): r.reason for r in report.records}
        for want in truth["records"]:
            got = mine.get((want["recipient"] or "").lower())
            if got is None:
                continue
            compared += 1
            expected = ALIASES.get(want["reason"], want["reason"])
            if got == expected:
                agreed += 1
            else:
                misses.append(f"{truth['file']}: {expected} -> {got}")
    assert compared > 300
    assert agreed / compared >= MIN_AGREEMENT, "\n".join(misses)
