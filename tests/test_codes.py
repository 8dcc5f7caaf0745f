"""The code table: the seed reproduced row for row, the extension, fallbacks, user tables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dsnparse import CodeTable, CodeTableError
from dsnparse.classify.codes import NO_CODE

# The seed table the product ships (../shared/seed/bounce-code-table.txt), as rows. Kept here so the
# test runs without ../shared; test_seed_file_matches checks this copy against the file when present.
SEED = """\
5.0.0 | Hard | Address does not exist |
5.1.0 | Hard | Other address status |
5.1.1 | Hard | Bad destination mailbox address |
5.1.2 | Hard | Bad destination system address |
5.1.3 | Hard | Bad destination mailbox address syntax |
5.1.4 | Hard | Destination mailbox address ambiguous |
5.1.5 | Hard | Destination mailbox address valid |
5.1.6 | Hard | Mailbox has moved |
5.1.7 | Hard | Bad sender’s mailbox address syntax |
5.1.8 | Hard | Bad sender’s system address |
5.2.0 | Soft | Other or undefined mailbox status |
5.2.1 | Soft | Mailbox disabled, not accepting messages |
5.2.2 | Soft | Mailbox full |
5.2.3 | Hard | Message length exceeds administrative limit. |
5.2.4 | Hard | Mailing list expansion problem |
5.3.0 | Hard | Other or undefined mail system status |
5.3.1 | Soft | Mail system full |
5.3.2 | Hard | System not accepting network messages |
5.3.3 | Hard | System not capable of selected features |
5.3.4 | Hard | Message too big for system |
5.4.0 | Hard | Other or undefined network or routing status |
5.4.1 | Hard | No answer from host |
5.4.2 | Hard | Bad connection |
5.4.3 | Hard | Routing server failure |
5.4.4 | Hard | Unable to route |
5.4.5 | Soft | Network congestion |
5.4.6 | Hard | Routing loop detected |
5.4.7 | Hard | Delivery time expired |
5.5.0 | Hard | Other or undefined protocol status |
5.5.1 | Hard | Invalid command |
5.5.2 | Hard | Syntax error |
5.5.3 | Soft | Too many recipients |
5.5.4 | Hard | Invalid command arguments |
5.5.5 | Hard | Wrong protocol version |
5.6.0 | Hard | Other or undefined media error |
5.6.1 | Hard | Media not supported |
5.6.2 | Hard | Conversion required and prohibited |
5.6.3 | Hard | Conversion required but not supported |
5.6.4 | Hard | Conversion with loss performed |
5.6.5 | Hard | Conversion failed |
5.7.0 | Hard | Other or undefined security status |
5.7.1 | Hard | Delivery not authorized, message refused |
5.7.2 | Hard | Mailing list expansion prohibited |
5.7.3 | Hard | Security conversion required but not possible |
5.7.4 | Hard | Security features not supported |
5.7.5 | Hard | Cryptographic failure |
5.7.6 | Hard | Cryptographic algorithm not supported |
5.7.7 | Hard | Message integrity failure |
9.1.1 | Hard | Hard bounce with no bounce code found. It could be an invalid email or rejected email from your mail server (such as from a sending limit). |
"""  # noqa: E501 - the seed table's rows, verbatim
SEED_ROWS = [tuple(part.strip() for part in line.split("|")[:3]) for line in SEED.splitlines()]
SEED_FILE = Path(__file__).resolve().parents[2] / "shared" / "seed" / "bounce-code-table.txt"


@pytest.mark.parametrize(("code", "kind", "description"), SEED_ROWS, ids=[r[0] for r in SEED_ROWS])
def test_default_reproduces_every_seed_row(code: str, kind: str, description: str) -> None:
    row = CodeTable.default().rows[code]
    assert (row.bounce_type, row.description) == (kind.lower(), description)


def test_seed_file_matches_the_copy_in_this_test() -> None:
    if not SEED_FILE.exists():
        pytest.skip("../shared is not present")
    rows = [m.groups() for m in re.finditer(r"^(\d\.\d+\.\d+) \| (Hard|Soft) \| (.*?) \|\s*$",
                                             SEED_FILE.read_text(encoding="utf-8"), re.M)]
    assert [tuple(r) for r in rows] == SEED_ROWS


def test_extension_covers_registered_codes_with_documented_types() -> None:
    rows = CodeTable.default().rows
    assert rows["5.1.10"].bounce_type == "hard"
    assert rows["5.7.26"].description == "Multiple authentication checks failed"
    assert rows["5.7.28"].bounce_type == "soft"  # mail flood: a rate limit, retry later
    assert rows["5.7.13"].bounce_type == "soft"  # like 5.2.1, a disabled account may come back
    assert all(rows[c].bounce_type == "soft" for c in rows if c.startswith("4."))
    for detail in range(8, 31):
        assert f"5.7.{detail}" in rows
        assert f"4.7.{detail}" in rows


@pytest.mark.parametrize(
    ("code", "expected"),
    [("5.1.1", "5.1.1"), ("5.1.99", "5.1.0"), ("5.9.123", "5"), ("4.4.99", "4.4.0"), ("4.99.1", "4"),
     (None, NO_CODE), ("garbage", NO_CODE)],
)
def test_lookup_falls_back(code: str | None, expected: str) -> None:
    row = CodeTable.default().lookup(code)
    assert row is not None and row.code == expected


def test_user_table_overrides_rows(tmp_path: Path) -> None:
    path = tmp_path / "codes.csv"
    path.write_text("code,bounce_type,description\n5.2.2,Hard,Full mailboxes are dead to us\n5.9.9,Soft,Custom\n")
    table = CodeTable.from_file(path)
    assert table.lookup("5.2.2").bounce_type == "hard"  # type: ignore[union-attr]
    assert table.lookup("5.9.9").description == "Custom"  # type: ignore[union-attr]
    assert table.lookup("5.1.1").description == "Bad destination mailbox address"  # type: ignore[union-attr]
    assert CodeTable.default().lookup("5.2.2").bounce_type == "soft"  # type: ignore[union-attr]


def test_replace_table_and_seed_layout(tmp_path: Path) -> None:
    path = tmp_path / "seed.txt"
    path.write_text("Bounce code | Bounce type | Description |\n5.1.1 | Soft | Lenient |\n")
    table = CodeTable.from_file(path, replace=True)
    assert len(table) == 1
    assert table.lookup("5.1.1").bounce_type == "soft"  # type: ignore[union-attr]
    assert table.lookup("5.2.2") is None


@pytest.mark.parametrize("line", ["5.x.1,Hard,bad code", "5.1.1,Maybe,bad type", "5.1.1"])
def test_malformed_user_table_is_a_typed_error(tmp_path: Path, line: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(line + "\n")
    with pytest.raises(CodeTableError):
        CodeTable.from_file(path)
