"""The article in a fetched page: main text, title, date and site name, with trafilatura.

Pure and synchronous (CPU work: callers run it off the event loop). Navigation, comments, adverts
and cookie banners are left out by trafilatura's boilerplate removal; comments are never included.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import trafilatura
from trafilatura.settings import Document

from bot.extraction.checks import MIN_WORDS
from bot.links.page import FetchedPage, FetchError

#: schema.org's way of saying an article is behind a paywall (JSON-LD or microdata).
_PAYWALL = re.compile(rb"[\"']?isAccessibleForFree[\"']?\s*[:=]\s*[\"']?false", re.IGNORECASE)
#: What sites put between a headline and their own name in <title> ("Storm closes bridge - Example Times").
_TITLE_SEPARATOR = re.compile(r"\s+[-–—|:·•]{1,2}\s+")


def _letters(text: str) -> str:
    """Lower-case letters and digits only, without a leading "the" ("The Example-Times" -> "exampletimes")."""
    text = text.lower().removeprefix("the ")
    return "".join(ch for ch in text if ch.isalnum())


def strip_site_suffix(title: str, site_name: str | None, url: str) -> str:
    """``title`` without a trailing site name: "Storm closes bridge - Example Times" -> "Storm closes bridge".

    The suffix goes only when it names the site: its ``site_name``, or its host's name ("Example Times" on
    example-times.com, "Guardian" on theguardian.com, "BBC News" on bbc.co.uk), so a headline that has a
    dash of its own ("Brexit - what next") keeps its words.
    """
    title = title.strip()
    separators = list(_TITLE_SEPARATOR.finditer(title))
    if not separators:
        return title
    last = separators[-1]
    suffix = _letters(title[last.end() :])
    label = _letters((urlsplit(url).hostname or "").removeprefix("www.").split(".")[0])
    names_site = suffix == _letters(site_name or "") or suffix == label
    if suffix and (
        names_site or (len(suffix) >= 5 and suffix in label) or (len(label) >= 3 and suffix.startswith(label))
    ):
        return title[: last.start()]
    return title


def extract_page(body: bytes, *, url: str, content_type: str, charset: str | None) -> FetchedPage:
    """The article of ``body`` (an HTML or plain-text page at ``url``), or :class:`FetchError`
    (``no_text`` / ``paywall``) when it holds no article text."""
    if content_type == "text/plain":
        text = body.decode(charset or "utf-8", errors="replace").strip()
        title, site_name, published = None, None, None
    else:
        markup: str | bytes = body.decode(charset, errors="replace") if charset else body
        extracted = trafilatura.bare_extraction(
            markup,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
        )
        # trafilatura returns a Document (a dict only with as_dict=True, which is not asked for here)
        document = extracted if isinstance(extracted, Document) else None
        text = (document.text or "").strip() if document is not None else ""
        site_name = (document.sitename or document.hostname or None) if document is not None else None
        title = strip_site_suffix(document.title, site_name, url) or None if document and document.title else None
        published = (document.date or None) if document is not None else None
    if len(text.split()) < MIN_WORDS:
        if _PAYWALL.search(body):
            raise FetchError("paywall", "The article on this page is behind a paywall.")
        raise FetchError(
            "no_text",
            "I found no article text on this page (it may be behind a paywall or need JavaScript).",
        )
    return FetchedPage(
        url=url, text=text, title=title, site_name=site_name or urlsplit(url).hostname, published=published
    )
