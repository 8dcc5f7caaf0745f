"""Expected records from the scenario (never from dsnparse): the case's records, its per-MTA
overrides, the reporting MTA's own Status: where no remote code exists, and hard/soft looked up in
dsnparse's default code table data file (read as data, not through dsnparse's classifier).
"""

from __future__ import annotations

import copy
import csv
import email
import email.policy
import os
import re
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
CODES_CSV = os.path.join(HERE, "..", "dsnparse", "data", "codes.csv")
# reasons.md 7.3: the standard code of a reason, for a bounce that carries no code at all (no DSN)
STANDARD = {
    "userunknown": "5.1.1", "filtered": "5.2.0", "hostunknown": "5.1.2", "notaccept": "5.1.10",
    "mailboxfull": "5.2.2", "emailtoolarge": "5.3.4", "blocked": "5.7.1", "spamdetected": "5.7.1",
    "policyviolation": "5.7.1", "norelaying": "5.7.1", "networkerror": "5.4.0", "systemerror": "5.3.0",
    "expired": "5.4.7",
}
PINNED = ("recipient", "original_recipient", "action", "status", "reply_code", "reason", "bounce_type")


def code_table(path: str = CODES_CSV) -> dict[str, str]:
    with open(path, encoding="utf-8") as fh:
        return {row["code"]: row["bounce_type"].lower() for row in csv.DictReader(fh)}


def bounce_type(status: str, table: dict[str, str]) -> str:
    """C.S.D, then C.S.0, then the class: 5 hard, 4 soft (the table's own fallback order)."""
    c, s, _ = status.split(".")
    for code in (status, f"{c}.{s}.0", c):
        if code in table:
            return table[code]
    return {"5": "hard", "4": "soft"}.get(c, "")


def _fields(block: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for line in block.splitlines():
        if line[:1] in (" ", "\t") and out:
            out[-1] = (out[-1][0], out[-1][1] + " " + line.strip())
        elif ":" in line:
            k, _, v = line.partition(":")
            out.append((k.strip().lower(), v.strip()))
    return out


def dsn_groups(raw: bytes) -> list[dict[str, str]]:
    """The per-recipient field groups of the message's (global-)delivery-status part, in order."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    for part in msg.walk():
        if part.get_content_type() in ("message/delivery-status", "message/global-delivery-status"):
            payload = part.get_payload()
            if isinstance(payload, list):
                # as_bytes keeps the 8-bit (RFC 6533 utf-8) fields as they were
                text = b"\n\n".join(p.as_bytes() for p in payload).decode("utf-8", "replace")
            else:
                data = part.get_payload(decode=True) or payload.encode("utf-8", "surrogateescape")
                text = data.decode("utf-8", "replace")
            blocks = re.split(r"\r?\n[ \t]*\r?\n", text.replace("\r\n", "\n"))
            groups = [dict(_fields(b)) for b in blocks]
            return [g for g in groups if "final-recipient" in g or "original-recipient" in g]
    return []


def _addr(value: str) -> str:
    v = value.partition(";")[2].strip() if ";" in value else value.strip()
    # RFC 6533 utf-8 address type may carry \x{..} escapes; xtext may carry +XX
    v = re.sub(r"\\x\{([0-9A-Fa-f]+)\}", lambda m: chr(int(m.group(1), 16)), v)
    v = re.sub(r"\+([0-9A-F]{2})", lambda m: chr(int(m.group(1), 16)), v)
    return v.strip("<>").lower()


def group_for(groups: list[dict[str, str]], recipient: str) -> tuple[int, dict[str, str] | None]:
    r = recipient.lower()
    for i, g in enumerate(groups):
        if _addr(g.get("final-recipient", "")) == r or _addr(g.get("original-recipient", "")) == r:
            return i, g
    return -1, None


def expected(case: dict[str, Any], mta: str, me: str, raw: bytes, table: dict[str, str], delay: bool) -> dict[str, Any]:
    """The expected ``{"kind", "records"}`` of one bounce of ``case`` made by ``mta``."""
    c = merged(case, mta)
    groups = dsn_groups(raw)
    text = raw.decode("utf-8", "replace").lower()
    # without a DSN part, a recipient counts when the notice names it before the returned original
    own = text.split("from: jonas de wit", 1)[0]
    recs = []
    for spec in c["record"]:
        r = {k: (v.replace("{me}", me) if isinstance(v, str) else v) for k, v in spec.items()}
        unquoted = r.pop("unquoted_reason", "expired" if c.get("expires") else r["reason"])
        evidence = r.pop("evidence", None)
        if delay:
            r["action"] = "delayed"
            r["reason"] = c.get("delay_reason", r["reason"])
        idx, g = group_for(groups, r["recipient"])
        if (groups and g is None) or (not groups and r["recipient"].lower() not in own):
            continue   # this notice is about other recipients of the message (an MTA may split them)
        known = True
        if r.get("reply_code") and not quotes(text, r["reply_code"], r.get("status", "")):
            # the bounce does not quote the remote reply: nothing of it can count
            r.pop("reply_code")
            r["status"] = "report"
            known = False
        if evidence is not None and not any(e.lower() in text for e in evidence):
            known = False   # the MTA's own words on the last error are not in this notice
        if not known:
            r["reason"] = unquoted
        if r.get("original_recipient") and r["original_recipient"].lower() not in text:
            r.pop("original_recipient")   # the MTA dropped the ORCPT: nothing for a parser to find
        if r.get("status") == "report":
            if not groups:
                # no report at all (dma): the bounce carries no code; hard/soft from the reason's
                # standard code (reasons.md 7.3), in the class of the reply code when there is one
                r["status"] = None
                std = STANDARD[r["reason"]]
                if r.get("reply_code"):
                    std = r["reply_code"][0] + std[1:]
                if not delay:
                    r.setdefault("bounce_type", bounce_type(std, table))
            elif g is None or "status" not in g:
                raise ValueError(f"{case['name']}/{mta}: no Status: for {r['recipient']} in the report")
            else:
                r["status"] = g["status"].split()[0]
        if delay:
            r["bounce_type"] = None   # a delay is no bounce: never a bounce_type (dsnparse README, look-alikes)
        elif "bounce_type" not in r and r.get("status"):
            r["bounce_type"] = bounce_type(r["status"], table)
        pos = idx if idx >= 0 else 10_000 + max(text.find(r["recipient"].lower()), 0)
        recs.append((pos, {k: r[k] for k in PINNED if k in r}))
    recs.sort(key=lambda x: x[0])
    return {"kind": "delay" if delay else c["kind"], "records": [r for _, r in recs]}


def quotes(text: str, reply_code: str, status: str) -> bool:
    """Does the bounce quote the remote reply (its code, with the enhanced code when it had one)?"""
    enhanced = r"[ -]" + re.escape(status) if re.fullmatch(r"\d\.\d+\.\d+", status or "") else r"[ -]"
    return re.search(r"(?<![\d.])" + reply_code + enhanced, text) is not None


def merged(case: dict[str, Any], mta: str) -> dict[str, Any]:
    c = copy.deepcopy(case)
    over = c.pop("mta", {}).get(mta, {})
    c.update(over)
    return c
