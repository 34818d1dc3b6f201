"""handlers/inputs.py: Telegram messages (built from Bot API JSON) -> ArticleInput; documents -> text."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Message

from handlers.inputs import (
    MAX_DOCUMENT_BYTES,
    DocumentProblem,
    DocumentRef,
    article_from_message,
    decode_bytes,
    decode_document,
    document_problem,
    html_to_text,
    mentions_bot,
    without_mention,
)

DATE = 1734705060  # 2024-12-20T14:31:00Z
PRIVATE = {"id": 1001, "type": "private", "first_name": "Ana"}
USER = {"id": 1001, "is_bot": False, "first_name": "Ana"}
CHANNEL = {"id": -100777, "type": "channel", "title": "RFA <News>", "username": "rfa_news"}


def message(**fields: Any) -> Message:
    data: dict[str, Any] = {"message_id": 5, "date": DATE, "chat": PRIVATE, "from": USER, **fields}
    return Message.de_json(data, None)


def test_inputs_channel_forward_has_post_link_signature_date_and_links() -> None:
    text = "Read https://example.org/a and the report here."
    msg = message(
        text=text,
        forward_origin={
            "type": "channel",
            "date": DATE - 60,
            "chat": CHANNEL,
            "message_id": 42,
            "author_signature": "Jane Doe",
        },
        entities=[
            {"type": "url", "offset": 5, "length": 21},
            {"type": "text_link", "offset": 42, "length": 4, "url": "https://example.org/b"},
        ],
    )
    article = article_from_message(msg)
    assert article.text == text
    assert (article.chat_id, article.message_id) == (1001, 5)
    assert article.links == ("https://example.org/a", "https://example.org/b")
    assert article.origin == {
        "kind": "channel",
        "chat_id": -100777,
        "chat_title": "RFA <News>",
        "chat_username": "rfa_news",
        "message_id": 42,
        "post_url": "https://t.me/rfa_news/42",
        "author_signature": "Jane Doe",
        "date": "2024-12-20T14:30:00+00:00",
        "links": ["https://example.org/a", "https://example.org/b"],
    }


@pytest.mark.parametrize(
    ("forward_origin", "expected"),
    [
        (
            {
                "type": "user",
                "date": DATE,
                "sender_user": {"id": 7, "is_bot": False, "first_name": "Bo", "last_name": "Li"},
            },
            {"kind": "user", "sender_name": "Bo Li"},
        ),
        (
            {"type": "hidden_user", "date": DATE, "sender_user_name": "Secret Sam"},
            {"kind": "hidden_user", "sender_name": "Secret Sam"},
        ),
        (
            {"type": "chat", "date": DATE, "sender_chat": {"id": -5, "type": "group", "title": "Desk"}},
            {"kind": "chat", "chat_id": -5, "chat_title": "Desk"},
        ),
        (
            {
                "type": "channel",
                "date": DATE,
                "chat": {"id": -100, "type": "channel", "title": "Closed"},
                "message_id": 9,
            },
            {"kind": "channel", "chat_id": -100, "chat_title": "Closed", "message_id": 9},
        ),
    ],
)
def test_inputs_every_forward_origin_kind(forward_origin: dict[str, Any], expected: dict[str, Any]) -> None:
    origin = article_from_message(message(text="x", forward_origin=forward_origin)).origin
    assert {k: v for k, v in origin.items() if k not in ("date", "links")} == expected
    assert "post_url" not in origin  # private channel or no channel: no public link


def test_inputs_caption_and_automatic_forward_and_caption_links() -> None:
    msg = message(
        caption="Photo: see https://x.org",
        caption_entities=[{"type": "url", "offset": 11, "length": 13}],
        photo=[{"file_id": "p", "file_unique_id": "pu", "width": 1, "height": 1}],
        is_automatic_forward=True,
        forward_origin={"type": "channel", "date": DATE, "chat": CHANNEL, "message_id": 3},
    )
    article = article_from_message(msg)
    assert article.text == "Photo: see https://x.org"
    assert article.links == ("https://x.org",)
    assert article.origin["automatic_forward"] is True


def test_inputs_channel_post_and_direct_text() -> None:
    post = article_from_message(message(text="post", chat=CHANNEL, author_signature="Ed"))
    assert post.origin["kind"] == "channel_post"
    assert post.origin["post_url"] == "https://t.me/rfa_news/5"
    assert post.origin["author_signature"] == "Ed"
    direct = article_from_message(message(text="pasted"))
    assert direct.origin == {"kind": "direct", "date": "2024-12-20T14:31:00+00:00", "links": []}
    assert direct.document is None


def test_inputs_document_reference() -> None:
    msg = message(
        document={
            "file_id": "F",
            "file_unique_id": "U",
            "file_name": "a.txt",
            "mime_type": "text/plain",
            "file_size": 10,
        },
        caption="my file",
    )
    article = article_from_message(msg)
    assert article.document == DocumentRef("F", "a.txt", "text/plain", 10)
    assert article.origin["file_name"] == "a.txt"
    assert article.with_text("body", title="T").text == "body"
    assert article.with_text("body", title="T").title == "T"


def test_inputs_mentions_bot_and_strips_mention() -> None:
    text = "@ClaimDeskBot please check this"
    msg = message(text=text, entities=[{"type": "mention", "offset": 0, "length": 13}])
    assert mentions_bot(msg, "claimdeskbot", 99)
    assert not mentions_bot(msg, "otherbot", 99)
    assert without_mention(text, "claimdeskbot") == "please check this"
    text_mention = message(
        text="hey bot",
        entities=[
            {"type": "text_mention", "offset": 4, "length": 3, "user": {"id": 99, "is_bot": True, "first_name": "B"}}
        ],
    )
    assert mentions_bot(text_mention, "claimdeskbot", 99)
    assert not mentions_bot(message(text="no mention"), "claimdeskbot", 99)


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (DocumentRef("f", "a.txt", "text/plain", 100), None),
        (DocumentRef("f", "A.HTML", "text/html", 100), None),
        (DocumentRef("f", "notes.md", None, None), None),
        (DocumentRef("f", "scan.pdf", "application/pdf", 100), "can't read .pdf"),
        (DocumentRef("f", None, None, 100), "without an extension"),
        (DocumentRef("f", "big.txt", "text/plain", MAX_DOCUMENT_BYTES + 1), "up to 2 MB"),
    ],
)
def test_inputs_document_problem(document: DocumentRef, problem: str | None) -> None:
    found = document_problem(document)
    assert (found is None) if problem is None else (problem in (found or ""))


SAMPLE = "Café “quoted” – naïve € 🙂"


@pytest.mark.parametrize(
    "data",
    [
        SAMPLE.encode("utf-8"),
        SAMPLE.encode("utf-8-sig"),
        SAMPLE.encode("utf-16"),
        SAMPLE.encode("utf-16-be").join([b"\xfe\xff", b""]),
    ],
)
def test_inputs_decode_bytes_unicode_encodings(data: bytes) -> None:
    assert decode_bytes(data) == SAMPLE


def test_inputs_decode_bytes_legacy_encodings() -> None:
    assert decode_bytes("Café “quoted” – €".encode("cp1252")) == "Café “quoted” – €"
    assert decode_bytes(b"caf\xe9 \x81") == "café \x81"  # not cp1252 (0x81 undefined): latin-1


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("“Quoted,” she said – café.".encode() + b"\xff", "“Quoted,” she said – café.\ufffd"),
        (b"\x80" + "He said “yes” and “no”.".encode(), "\ufffdHe said “yes” and “no”."),
        ("“Ünïcödé” ".encode() * 3 + b"\xe2\x80 end", "“Ünïcödé” " * 3 + "\ufffd end"),
    ],
)
def test_inputs_decode_bytes_mostly_valid_utf8_keeps_utf8(data: bytes, expected: str) -> None:
    """One bad byte among valid UTF-8 sequences is one U+FFFD, not a whole file of latin-1 mojibake."""
    assert decode_bytes(data) == expected


def test_inputs_html_to_text_drops_script_and_style_and_keeps_title() -> None:
    markup = (
        "<html><head><title>The &amp; Title</title><style>p{}</style></head><body>"
        "<script>var x = '<p>no</p>';</script><h1>Head</h1><p>First &lt;para&gt;.</p><p>Second<br>line</p>"
        "</body></html>"
    )
    text, title = html_to_text(markup)
    assert title == "The & Title"
    assert text == "Head\nFirst <para>.\nSecond\nline"


def test_inputs_decode_document_html_txt_and_size() -> None:
    assert decode_document(b"<p>Hi</p><p>there</p>", "a.htm") == ("Hi\nthere", None)
    assert decode_document(b"<p>Hi</p>", "a.txt") == ("<p>Hi</p>", None)
    with pytest.raises(DocumentProblem, match="2 MB"):
        decode_document(b"x" * (MAX_DOCUMENT_BYTES + 1), "a.txt")
