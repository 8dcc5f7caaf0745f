"""The per-language wordings of ``data/wordings.toml`` (issue 11, cause 6): every block names its
source, every phrase gives its reason through the phrase tables, every main language of mail
is covered, and a bounce worded in any of them gets its reason instead of ``onhold``."""

from __future__ import annotations

import unicodedata

import pytest

from dsnparse import parse
from dsnparse.classify.reasons import from_phrases, vocabulary, wordings

LANGUAGES = ("en", "de", "fr", "es", "pt", "it", "nl", "ru", "ja", "zh", "ko")
"""The main languages of mail, each with wordings for the reasons below."""
COVERED = ("userunknown", "mailboxfull", "hostunknown", "suspend", "emailtoolarge", "spamdetected")
PHRASES = [(block.reason, block.language, phrase) for block in wordings() for phrase in block.phrases]


def _wide(text: str) -> bool:
    return any(unicodedata.east_asian_width(c) == "W" for c in text)


def test_every_block_names_a_source_a_known_reason_and_language() -> None:
    names = set(vocabulary())
    for block in wordings():
        assert block.source.strip()
        assert block.reason in names
        assert block.language in LANGUAGES
        assert block.phrases


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_every_language_covers_the_main_reasons(language: str) -> None:
    reasons = {b.reason for b in wordings() if b.language == language}
    assert set(COVERED) <= reasons


def test_no_phrase_is_written_twice() -> None:
    seen = [phrase for _, _, phrase in PHRASES]
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize(("reason", "language", "phrase"), PHRASES, ids=[f"{r}-{lang}-{p}" for r, lang, p in PHRASES])
def test_every_phrase_gives_its_reason(reason: str, language: str, phrase: str) -> None:
    assert phrase == phrase.lower()
    assert len(phrase) >= (4 if _wide(phrase) else 10), "too short to stay out of ordinary text"
    assert from_phrases(f"550 {phrase.upper() if language in ('en', 'fr') else phrase}.") == reason


# ordinary sentences of each language (a newsletter, a meeting note) that mention mail, mailboxes,
# accounts and domains without any failure
ORDINARY = [
    "Please check your mailbox tomorrow: the new domain example.com is ready and your account works.",
    "Ihr Postfach und Ihr Konto sind eingerichtet; die Domain example.com ist jetzt aktiv.",
    "Votre boîte aux lettres et votre compte sont prêts ; le domaine example.com est actif.",
    "Su buzón y su cuenta ya están listos; el dominio example.com funciona.",
    "A sua caixa de correio e a sua conta estão prontas; o domínio example.com funciona.",
    "La tua casella di posta e il tuo account sono pronti; il dominio example.com è attivo.",
    "Uw mailbox en uw account zijn klaar; het domein example.com werkt.",
    "Ваш почтовый ящик и учётная запись готовы; домен example.com работает.",
    "メールボックスとアカウントの準備ができました。ドメイン example.com は有効です。",
    "您的邮箱和账户已准备好，域名 example.com 已启用。",
    "메일함과 계정이 준비되었습니다. 도메인 example.com 이 활성화되었습니다.",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_sentences_give_no_reason(text: str) -> None:
    assert from_phrases(text) is None


def _bounce(text: str) -> bytes:
    return (
        "From: MAILER-DAEMON@mx.example.net\nTo: news@example.org\nSubject: Undelivered Mail\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
        f"<kim@example.com>:\n{text}\n"
    ).encode()


SAMPLES = [
    (block.reason, block.language, block.phrases[0])
    for block in wordings()
    if block.reason in ("mailboxfull", "hostunknown", "emailtoolarge", "spamdetected")
]


@pytest.mark.parametrize(("reason", "language", "phrase"), SAMPLES, ids=[f"{r}-{lang}" for r, lang, _ in SAMPLES])
def test_a_bounce_worded_in_the_language_gets_the_reason(reason: str, language: str, phrase: str) -> None:
    (record,) = parse(_bounce(phrase.capitalize())).records
    assert (record.recipient, record.reason) == ("kim@example.com", reason)
