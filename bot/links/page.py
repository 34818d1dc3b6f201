"""What a fetch gives (:class:`FetchedPage`) or why it gave nothing (:class:`FetchError`); standard library only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.origin import PageOrigin

#: Appended to every failure told to a person.
PASTE_HINT = "You can paste the article's text instead."

FetchProblem = Literal[
    "bad_url",
    "refused",
    "network",
    "timeout",
    "too_many_redirects",
    "http_status",
    "not_article",
    "too_large",
    "encoding",
    "no_text",
    "paywall",
]


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """An article read from the web: ``url`` is the final URL, after redirects."""

    url: str
    text: str
    title: str | None = None
    site_name: str | None = None
    published: str | None = None  # ISO date, as the page states it

    def origin(self) -> PageOrigin:
        """What an analysis' origin keeps of this page (and the report shows)."""
        return PageOrigin(self.url, self.title or None, self.site_name or None, self.published or None)


class FetchError(Exception):
    """A link that gives no article; ``code`` says why, the message says it to a person."""

    def __init__(self, code: FetchProblem, message: str) -> None:
        super().__init__(message)
        self.code: FetchProblem = code

    @property
    def told(self) -> str:
        """The message with the hint to paste the text instead."""
        return f"{self} {PASTE_HINT}"
