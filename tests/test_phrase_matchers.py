"""The fast phrase matchers find exactly what the plain ``re.I`` alternation would find."""

from __future__ import annotations

import random
import re
import sys

from dsnparse.phrases import _CASE_FIXES, LabelledPhrases, _cased_chars, _every_code_point, _variants, any_of
from dsnparse.rows import document as load_toml

TABLE = [
    ("userunknown", ["user unknown", "no such user", "unknown user", "Unbekannter Empfänger"]),
    ("mailboxfull", ["mailbox full", "mailbox is full", "quota exceeded", "Postfach voll"]),
    ("hostunknown", ["host unknown", "unknown host", "no such domain"]),
    ("blocked", ["blocked", "blocked by policy", "user"]),
    ("spam", ["spam", "550 5.7.1 spam", "迷惑メール"]),
]


def _reference(phrases: list[str]) -> re.Pattern[str]:
    """What any_of used to compile: an re.I alternation, longest phrase first."""
    ordered = sorted({p.lower() for p in phrases}, key=len, reverse=True)
    return re.compile("|".join(re.escape(p) for p in ordered), re.I)


def _texts(phrases: list[str], count: int = 400) -> list[str]:
    rnd = random.Random(7)
    out = ["", "nothing to see", "USER UNKNOWN", "the user is unknown", "Mailbox Is Full.", "ſpam", "POSTFACH VOLL"]
    for _ in range(count):
        words = [rnd.choice(phrases) for _ in range(rnd.randint(0, 3))]
        text = " ".join(w.upper() if rnd.random() < 0.3 else w.title() if rnd.random() < 0.3 else w for w in words)
        if text and rnd.random() < 0.5:
            cut = rnd.randrange(len(text))
            text = text[:cut] + text[cut + 1 :]
        out.append(f"<{text}>")
    return out


def test_any_of_matches_like_the_re_i_alternation() -> None:
    phrases = [p for _, group in TABLE for p in group]
    fast, reference = any_of(phrases), _reference(phrases)
    assert fast.flags & re.I == 0  # case classes, not the slow re.I branch test
    for text in _texts(phrases):
        got, want = fast.search(text), reference.search(text)
        assert (got and got.span()) == (want and want.span()), text
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in reference.finditer(text)], text


def test_any_of_nothing_never_matches() -> None:
    assert any_of([]).search("anything") is None
    assert any_of(["", ""]).search("") is None


def test_first_label_is_the_first_in_table_order() -> None:
    labelled = LabelledPhrases(TABLE)
    matchers = [(label, any_of(group)) for label, group in TABLE]
    for text in _texts([p for _, group in TABLE for p in group]):
        want = next((label for label, m in matchers if m.search(text)), None)
        assert labelled.first(text) == want, text
        assert labelled.labels(text) == {label for label, m in matchers if m.search(text)}, text
    # a shorter phrase of an earlier label inside a longer one of a later label still counts
    assert labelled.first("Mail for user blocked by policy") == "blocked"
    assert labelled.first("no such user here") == "userunknown"
    assert labelled.first("ſpam") == "spam"  # re.I folds the long s onto s
    assert labelled.first("") is None


def test_letters_sharing_a_case_variant_fall_back_to_searching_each_label() -> None:
    table = [("dotless", ["ıx"]), ("dotted", ["ix"])]  # 'I' is a case variant of both
    labelled = LabelledPhrases(table)
    for text in ("IX", "ıx", "ix", "İx", "none"):
        want = {label for label, group in table if any_of(group).search(text)}
        assert labelled.labels(text) == want, text


def _packaged_tables() -> list[list[tuple[str, list[str]]]]:
    """The labelled tables the package scans with (reasons, format markers, give-up and delay wording, the
    SMTP commands a diagnostic names)."""
    reasons = load_toml("reasons.toml").get("reason", [])
    markers = load_toml("decoder_markers.toml")
    finality = load_toml("finality.toml")
    commands = load_toml("smtp_commands.toml").get("hints")
    return [
        [(str(r["name"]), [str(p) for p in r.get("phrases", [])]) for r in reasons if isinstance(r, dict)]
        if isinstance(reasons, list) else [],
        [(name, [str(p) for p in value]) for name, value in markers.items() if isinstance(value, list)],
        [(key, [str(r["phrase"]) for r in rows]) for key, rows in finality.items() if isinstance(rows, list)],
        [(str(n), [str(p) for p in ps]) for n, ps in commands.items() if isinstance(ps, list)]
        if isinstance(commands, dict) else [],
    ]


def _reference_ends(table: list[tuple[str, list[str]]], text: str) -> dict[str, int]:
    """Each label's earliest phrase end, by searching every phrase at every position."""
    out: dict[str, int] = {}
    for label, phrases in table:
        for phrase in phrases:
            for m in re.finditer(f"(?=({re.escape(phrase)}))", text, re.I):
                out[label] = min(out.get(label, m.end(1)), m.end(1))
    return out


def test_packaged_tables_scan_like_a_search_per_phrase() -> None:
    """labels/first/ends over the real tables agree with searching each phrase, on ASCII texts
    mixing the tables' own phrases, overlapping ones and near misses."""
    rnd = random.Random(11)
    for table in _packaged_tables():
        labelled = LabelledPhrases(table)
        phrases = [p for _, ps in table for p in ps if p.isascii()]
        for _ in range(60):
            words = [rnd.choice(phrases) for _ in range(rnd.randint(1, 4))]
            cased = [w.upper() if rnd.random() < 0.3 else w for w in words]
            cut = [w[: rnd.randint(1, len(w))] if rnd.random() < 0.2 else w for w in cased]
            text = rnd.choice(["", " ", "\n", "x"]).join(cut)
            expected = _reference_ends(table, text)
            assert labelled.ends(text) == expected, text
            assert labelled.labels(text) == set(expected), text
            first = next((label for label, _ in table if label in expected), None)
            assert labelled.first(text) == first, text


def _all_variants(letter: str) -> set[str]:
    """What ``re.I`` matches for ``letter``, by trying every character of Unicode."""
    return set(re.findall(re.escape(letter), _EVERY_CHAR, re.I))


_EVERY_CHAR = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)


def test_case_variants_are_every_character_re_i_matches() -> None:
    """The fold behind the one-pass scans equates with each letter of the packaged tables
    exactly what ``re.I`` does, over all of Unicode (Cyrillic ve has a rounded form, Kelvin's K
    is a k), so the scans agree with a search on text in any script."""
    letters = {c for table in _packaged_tables() for _, ps in table for p in ps for c in p.lower()}
    for letter in sorted(letters):
        assert set(_variants(letter)) == _all_variants(letter), letter


def test_cased_characters_are_those_of_every_code_point_with_a_case() -> None:
    """The block-wise build of the cased characters (decoded from UTF-32, blocks without a case
    skipped) finds what testing every code point one by one finds."""
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert _every_code_point() == every
    one_by_one = "".join(c for c in every if c.lower() != c or c.upper() != c)
    assert _cased_chars() == one_by_one + _CASE_FIXES


def test_packaged_tables_scan_like_a_search_per_phrase_in_any_script() -> None:
    """ends/labels over the real tables agree with searching each phrase on texts mixing
    phrases of every language in them, with letters swapped for other characters ``re.I``
    equates with them (rounded Cyrillic, Kelvin sign, long s, dotless i)."""
    rnd = random.Random(12)
    for table in _packaged_tables():
        labelled = LabelledPhrases(table)
        phrases = [p for _, ps in table for p in ps]
        for _ in range(60):
            words = [rnd.choice(phrases) for _ in range(rnd.randint(1, 4))]
            swapped = ["".join(rnd.choice(sorted(_variants(c))) if rnd.random() < 0.3 else c for c in w) for w in words]
            text = rnd.choice([" ", "\n", "é", "日"]).join(swapped)
            expected = _reference_ends(table, text)
            assert labelled.ends(text) == expected, text
            assert labelled.labels(text) == set(expected), text


def test_non_ascii_text_lowered_with_fixes_scans_like_the_fold() -> None:
    """On non-ASCII text the scans fold through ``str.lower`` plus a few replacements (long s,
    dotless i, rounded Cyrillic): every packaged table then finds the phrases it finds through
    its full fold table, among any cased characters (a capital sigma, which lowers by context,
    and a dotted capital I, which lowers to two characters, take the table)."""
    rnd = random.Random(13)
    cased = _cased_chars()
    for table in _packaged_tables():
        labelled = LabelledPhrases(table)
        phrases = [p for _, ps in table for p in ps]
        for _ in range(80):
            words = [rnd.choice(phrases) for _ in range(rnd.randint(1, 3))]
            swapped = ["".join(rnd.choice(sorted(_variants(c))) if rnd.random() < 0.3 else c for c in w) for w in words]
            noise = ["".join(rnd.choice(cased) for _ in range(rnd.randint(1, 6))) for _ in swapped]
            ending = rnd.choice(["é", "\u03a3", "\u0130", "日"])
            text = "".join(w + n for w, n in zip(swapped, noise, strict=True)) + ending
            expected = _reference_ends(table, text)
            assert labelled.ends(text) == expected, text
            assert labelled.labels(text) == set(expected), text
