"""bot/origin.py: the typed origin record and its JSON form."""

from __future__ import annotations

from typing import Any

import pytest

from bot.origin import Origin, PageOrigin

FULL = Origin(
    kind="channel",
    chat_id=-100777,
    chat_title="RFA",
    chat_username="rfa_news",
    message_id=42,
    post_url="https://t.me/rfa_news/42",
    author_signature="Jane Doe",
    date="2024-12-20T14:30:00+00:00",
    automatic_forward=True,
    links=("https://example.org/a",),
    file_name="a.txt",
    page=PageOrigin("https://example.org/a", title="A", site_name="Example", published="2024-12-19"),
)


@pytest.mark.parametrize("origin", [FULL, Origin(), Origin(kind="hidden_user", sender_name="Sam")])
def test_origin_round_trips_through_its_json_form(origin: Origin) -> None:
    assert Origin.from_dict(origin.to_dict()) == origin


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        (Origin(), {"links": []}),
        (Origin(kind="direct", date="2024-12-20"), {"kind": "direct", "date": "2024-12-20", "links": []}),
        (
            Origin(kind="user", sender_name="Bo", page=PageOrigin("https://x.org/")),
            {"kind": "user", "sender_name": "Bo", "links": [], "page": {"url": "https://x.org/"}},
        ),
    ],
)
def test_origin_json_form_leaves_out_empty_fields(origin: Origin, expected: dict[str, Any]) -> None:
    assert origin.to_dict() == expected


def test_origin_from_dict_ignores_unknown_keys_and_pages_without_url() -> None:
    assert Origin.from_dict({"kind": "chat", "title": "old key", "page": {"site_name": "x"}}) == Origin(kind="chat")


def test_origin_from_dict_refuses_a_non_object() -> None:
    with pytest.raises(TypeError):
        Origin.from_dict(["not", "an", "object"])  # type: ignore[arg-type]
