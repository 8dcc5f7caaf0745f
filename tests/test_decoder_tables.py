"""The decoders' shared tables: one reason-table format (``data/decoder_reasons.toml``, a section
per decoder, ``reason = { phrases = [...], example = ... }``) read three ways, and the format markers."""

from __future__ import annotations

from dsnparse.classify.reasons import tables as reason_tables
from dsnparse.decoders import ORDER
from dsnparse.decoders._shared import markers
from dsnparse.rows import document as load_toml


def test_every_section_maps_reason_names_to_phrase_lists() -> None:
    names = set(ORDER)
    for section in load_toml("decoder_reasons.toml"):
        assert section in names, section
        rows = markers.reason_rows(section)
        assert rows, section
        for row in rows:
            assert row.reason in reason_tables().reasons, (section, row.reason)  # a name of the vocabulary
            assert row.phrases and all(p.strip() for p in row.phrases), (section, row.reason)


def test_first_tries_reasons_in_table_order() -> None:
    table = markers.reason_table("exim")
    # both exim sentences occur; "mailboxfull" is listed before "expired"
    assert table.first("retry timeout exceeded; mailbox is full") == "mailboxfull"
    assert table.first("Retry timeout exceeded") == "expired"
    assert table.first("550 no such user") is None
    assert table.first(None) is None


def test_find_takes_the_phrase_that_comes_first_in_the_text() -> None:
    table = markers.reason_table("gmail")
    text = "The email account that you tried to reach is over\n quota. DNS Error: Domain name not found"
    assert table.find(text) == "mailboxfull"
    assert table.find("DNS Error: Domain name not found. Storage quota exceeded") == "hostunknown"
    assert table.find("") is None


def test_get_looks_up_whole_codes_only() -> None:
    table = markers.reason_table("powermta")
    assert table.get(" Bad-Mailbox ") == "userunknown"
    assert table.get("bad-mailbox-ish") is None
    assert table.get(None) is None


def test_a_decoder_without_a_section_has_an_empty_table() -> None:
    table = markers.reason_table("postfix")
    assert (table.first("mailbox is full"), table.find("mailbox is full"), table.get("full")) == (None, None, None)


def test_markers_identify_only_their_own_format() -> None:
    sample = "Hi. This is the qmail-send program at mx.example.org."
    assert markers.marked("qmail", sample)
    assert not markers.marked("courier", sample)
    assert not markers.marked("no-such-decoder", sample)
    extra = {"domino", "apachejames_details", "exchange2007_details", "aol_screen_names"}
    assert set(load_toml("decoder_markers.toml")) <= set(ORDER) | extra
