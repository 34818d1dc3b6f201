"""handlers/inputs.py: Telegram messages (built from Bot API JSON) -> ArticleInput."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Message

from bot.service import DocumentRef
from handlers.inputs import article_from_message, mentions_bot, without_mention

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
    assert article.origin.to_dict() == {
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
    origin = article_from_message(message(text="x", forward_origin=forward_origin)).origin.to_dict()
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
    assert article.origin.automatic_forward is True


def test_inputs_channel_post_and_direct_text() -> None:
    post = article_from_message(message(text="post", chat=CHANNEL, author_signature="Ed"))
    assert post.origin.kind == "channel_post"
    assert post.origin.post_url == "https://t.me/rfa_news/5"
    assert post.origin.author_signature == "Ed"
    direct = article_from_message(message(text="pasted"))
    assert direct.origin.to_dict() == {"kind": "direct", "date": "2024-12-20T14:31:00+00:00", "links": []}
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
    assert article.origin.file_name == "a.txt"
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
