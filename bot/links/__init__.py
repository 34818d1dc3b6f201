"""Links in messages: choose the one that leads to an article, fetch it safely, extract its text.

- :mod:`bot.links.page`: :class:`FetchedPage` and :class:`FetchError` (standard library only);
- :mod:`bot.links.policy`: pure rules: which URLs and addresses may be fetched, which link to follow;
- :mod:`bot.links.extract`: main text, title, date and site name of a page, with trafilatura;
- :mod:`bot.links.fetch`: :class:`~bot.links.fetch.Fetcher`, the async fetch with httpx.

Nothing heavy is imported here.
"""
