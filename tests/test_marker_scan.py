"""One scan for every format's markers answers what a search per format and head size would."""

from __future__ import annotations

from dsnparse.decoders._shared import markers, views
from dsnparse.message import load
from dsnparse.phrases import LabelledPhrases, any_of

TABLE = [("fail", ["delivery failed", "could not be delivered"]), ("short", ["ail"]), ("none", ["absent phrase"])]
TEXT = "Your message COULD NOT be delivered: Delivery FAILED."


def test_ends_tell_which_prefix_holds_a_phrase() -> None:
    ends = LabelledPhrases(TABLE).ends(TEXT)
    assert ends is not None
    assert ends == {"fail": TEXT.lower().index("could not be delivered") + len("could not be delivered"),
                    "short": TEXT.lower().index("ail") + 3}
    for label, phrases in TABLE:
        matcher = any_of(phrases)
        for n in range(len(TEXT) + 1):
            assert (ends.get(label, n + 1) <= n) == bool(matcher.search(TEXT[:n])), (label, n)


def test_ends_read_text_in_any_script_and_decline_what_they_cannot_fold_exactly() -> None:
    assert LabelledPhrases(TABLE).ends("\u00e9 DELIVERY FAILED \u00e9") == {"fail": 17, "short": 15}
    assert LabelledPhrases(TABLE).ends("tr\u0131ed: ma\u0130l") == {"short": 11}  # re.I: dotted I is i
    assert LabelledPhrases(TABLE).ends("") == {}
    # "I" is a case variant of both "\u0131" and "i": no one-to-one fold, so the caller searches
    assert LabelledPhrases([("dotless", ["\u0131x"]), ("dotted", ["ix"])]).ends("ix") is None


def test_head_marked_is_marked_on_the_head() -> None:
    raw = (b"From: MAILER-DAEMON@example.com\nSubject: failure notice\n\n"
           b"Hi. This is the qmail-send program at example.com.\n"
           b"I'm afraid I wasn't able to deliver your message to the following addresses.\n")
    mail = load(raw)
    sample = views.text(mail)
    for name in ("qmail", "courier", "exchange2007"):
        for size in (10, 30, 60, 200, 800):
            assert markers.head_marked(mail, name, size) == markers.marked(name, sample[:size]), (name, size)
    assert markers.head_marked(mail, "qmail", 800)
    assert not markers.head_marked(mail, "qmail", 10)


def test_head_marked_beyond_the_scan_window() -> None:
    """Sizes past the window: a marker before, across and after the window edge, and none."""
    marker = "Diagnostic information for administrators:"  # an Exchange marker (data/decoder_markers.toml)
    assert markers.marked("exchange2007", marker)
    edge = markers.MARKER_WINDOW
    head = b"From: postmaster@example.com\nSubject: Undeliverable: hello\n\n"
    for at in (100, edge - 10, edge - len(marker) + 3, edge + 500, 7000):
        for text in (marker, "nothing to see"):
            body = ("x" * (at - 1) + " " + text + " " + "y" * 9000)[:9500]
            mail = load(head + body.encode())
            sample = views.text(mail)
            for size in (edge, 5000, 8000):
                expected = markers.marked("exchange2007", sample[:size])
                assert markers.head_marked(mail, "exchange2007", size) == expected, (at, text, size)
