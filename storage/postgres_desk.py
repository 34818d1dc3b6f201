"""The desk on PostgreSQL: :class:`storage.desk.DeskStore`'s SQL run through asyncpg, and its candidate
search on PostgreSQL's own index.

SQLite's ``statements_fts`` (FTS5) and ``statement_terms`` (the tokens' document frequencies) become the
``text[]`` column ``statements.search`` (the search tokens, generated from ``tokens``) with a GIN index
(``POSTGRES_MIGRATION_4``): a token's document frequency is the number of the chat's statements whose
array holds it, and a claim's candidates are the statements sharing any of its rare tokens, ranked by
the summed :func:`storage.desk.token_weight` of the tokens they share, the newest first on a tie (as
SQLite ranks them from FTS5's posting lists).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from storage.desk import CANDIDATES, DeskStore, token_weight

_PLACEHOLDER = re.compile(r"\?")


@cache
def numbered(sql: str) -> str:
    """SQL with ``?`` placeholders (SQLite's) as PostgreSQL's ``$1, $2, ...``."""
    numbers = iter(range(1, sql.count("?") + 1))
    return _PLACEHOLDER.sub(lambda _: f"${next(numbers)}", sql)


def affected(status: str) -> int:
    """Rows affected, from a command status such as ``DELETE 3``."""
    return int(status.rsplit(" ", 1)[-1])


class PostgresDeskStore(DeskStore):
    """Claim memory, matches and verdicts (methods of :class:`storage.postgres.PostgresStore`)."""

    @staticmethod
    async def _fetch(db: Any, sql: str, *args: Any) -> list[Any]:
        return list(await db.fetch(numbered(sql), *args))

    @staticmethod
    async def _run(db: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        await db.executemany(numbered(sql), rows)

    @staticmethod
    async def _execute(db: Any, sql: str, *args: Any) -> int:
        return affected(await db.execute(numbered(sql), *args))

    async def _doc_freq(self, db: Any, tokens: Sequence[str]) -> dict[str, int]:
        rows = await db.fetch(
            "SELECT t.token, count(*) FROM statements s CROSS JOIN LATERAL unnest(s.search) AS t(token)"
            " WHERE s.search && $1::text[] AND t.token = ANY($1::text[]) GROUP BY t.token",
            list(tokens),
        )
        return {str(token): int(n) for token, n in rows}

    async def _candidates(
        self, db: Any, queries: Sequence[tuple[str, list[str]]], doc_freq: dict[str, int], total: int
    ) -> dict[str, list[int]]:
        if not queries:
            return {}
        triples = [(claim_id, t, token_weight(total, doc_freq[t])) for claim_id, tokens in queries for t in tokens]
        rows = await db.fetch(
            "WITH q AS (SELECT * FROM unnest($1::text[], $2::text[], $3::float8[]) AS q(claim, token, weight)),"
            " c AS (SELECT claim, array_agg(token) AS tokens FROM q GROUP BY claim)"
            " SELECT c.claim, hit.id FROM c CROSS JOIN LATERAL ("
            "     SELECT s.id FROM statements s WHERE s.search && c.tokens"
            "     ORDER BY (SELECT sum(q.weight) FROM q WHERE q.claim = c.claim AND q.token = ANY(s.search)) DESC,"
            "     s.id DESC LIMIT $4) hit",
            [claim for claim, _, _ in triples],
            [token for _, token, _ in triples],
            [weight for _, _, weight in triples],
            CANDIDATES,
        )
        candidates: dict[str, list[int]] = {}
        for claim_id, statement_id in rows:
            candidates.setdefault(str(claim_id), []).append(int(statement_id))
        return candidates
