"""The desk's tables (migrations 4 to 6, and the counts of 10): each chat's memory of claims, claim matches,
and verdicts.

:class:`DeskStore` is a part of :class:`storage.store.Store` (it uses the store's connection, lock and
transactions), and through :class:`storage.postgres_desk.PostgresDeskStore` of
:class:`storage.postgres.PostgresStore`: its SQL is written once, with ``?`` placeholders, and runs
through :meth:`DeskStore._fetch` and :meth:`DeskStore._run`, which each engine defines; only the
candidate search (:meth:`DeskStore._doc_freq`, :meth:`DeskStore._candidates`) is the engine's own. A chat's claims are indexed as *statements*: one row per distinct claim key
(``bot.matching.ClaimKey``) per chat, with every claim that made it in ``statement_claims``. The full-text
index holds a statement's search tokens prefixed with the chat's memory id, so the candidate search
(FTS5's posting lists) only ever reads that chat's postings, and its document frequencies (``statement_terms``,
kept by triggers) are the chat's own.
"""

from __future__ import annotations

import asyncio
import hashlib
import heapq
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from bot.desk import NOTE_LIMIT, VERDICTS, VERDICTS_BY, DeskEntry, DeskView, Earlier, Verdict, VerdictName
from bot.matching import (
    ClaimKey,
    Match,
    MatchLabel,
    best_matches,
    idf_from_counts,
    key_from_json,
    key_to_json,
    report_keys,
    search_terms,
    search_token,
)
from bot.report import Report
from storage.base import StoreBase
from storage.rows import iso

#: Candidates the full-text search hands to the precise comparison, per claim (each one is read and parsed).
CANDIDATES = 10
#: Search tokens per claim: the rarest ones in the chat (a claim is found by its rare words).
QUERY_TOKENS = 4
#: A token in more than this share of a chat's statements is not searched by (it finds too much).
COMMON_SHARE = 0.002
#: ... unless the chat is small: a token in at most this many statements is always searched by.
COMMON_FLOOR = 50


@dataclass(frozen=True, slots=True)
class _Claim:
    """A claim of a new analysis as the memory keeps it."""

    claim_id: str
    key: ClaimKey
    source_name: str | None  # the source as the report names it; None: the outlet's own claim


def token_weight(total: int, doc: int) -> float:
    """How much a shared search token says, among ``total`` statements of which ``doc`` hold it: the rarer,
    the more (``ln(1 + total / doc)``); the candidate search of both engines ranks by their sum."""
    return math.log(1 + total / doc)


def _ranked(
    queries: Sequence[tuple[str, list[str]]], postings: dict[str, list[int]], doc_freq: dict[str, int], total: int
) -> dict[str, list[int]]:
    """For each (claim id, its tokens): the :data:`CANDIDATES` statements of ``postings`` (token -> statement
    ids) with the highest summed :func:`token_weight` of the tokens they share, the newest first on a tie."""
    candidates: dict[str, list[int]] = {}
    for claim_id, tokens in queries:
        weights: dict[int, float] = {}
        for token in tokens:
            weight = token_weight(total, doc_freq[token])
            for rowid in postings.get(token, ()):
                weights[rowid] = weights.get(rowid, 0.0) + weight
        best = heapq.nlargest(CANDIDATES, ((weight, rowid) for rowid, weight in weights.items()))
        if best:
            candidates[claim_id] = [rowid for _, rowid in best]
    return candidates


def _best_of(
    claims: Sequence[_Claim],
    candidates: dict[str, list[int]],
    stored: Sequence[tuple[int, str]],
    doc_freq: dict[str, int],
    memory_id: int,
    total: int,
) -> dict[str, dict[MatchLabel, tuple[int, Match]]]:
    """The best of each claim's candidates per label, from the ``stored`` (statement id, key JSON) of those
    candidates that may match (:func:`bot.matching.best_matches`)."""
    keys = {i: key_from_json(k) for i, k in stored}
    by_term = {t: doc_freq.get(_token(memory_id, search_token(t)), 0) for claim in claims for t in claim.key.terms}
    idf = idf_from_counts(by_term, total)
    result: dict[str, dict[MatchLabel, tuple[int, Match]]] = {}
    for claim in claims:
        pool = [(i, keys[i]) for i in candidates.get(claim.claim_id, ()) if i in keys]
        best = best_matches(claim.key, pool, idf)
        if best:
            result[claim.claim_id] = best
    return result


def _digest(key_json: str) -> str:
    return hashlib.sha256(key_json.encode("utf-8")).hexdigest()


def _token(memory_id: int, token: str) -> str:
    return f"m{memory_id}x{token}"


def _verdict(row: Any) -> Verdict:
    return Verdict(
        analysis_id=int(row[0]),
        claim_id=str(row[1]),
        verdict=cast(VerdictName, row[2]),
        note=row[3],
        user_id=row[4],
        user_name=row[5],
        created_at=str(row[6]),
    )


_VERDICT_COLUMNS = "v.analysis_id, v.claim_id, v.verdict, v.note, v.user_id, v.user_name, v.created_at"
#: The newest verdict of each claim: no newer row for the same claim.
_CURRENT = "NOT EXISTS (SELECT 1 FROM verdicts w WHERE w.analysis_id = v.analysis_id AND w.claim_id = v.claim_id AND w.id > v.id)"


class DeskStore(StoreBase):
    """Claim memory, matches and verdicts (methods of :class:`storage.store.Store`)."""

    # -- the engine (SQLite here; storage.postgres_desk for PostgreSQL) ---------------------------

    @staticmethod
    async def _fetch(db: Any, sql: str, *args: Any) -> list[Any]:
        """The rows of one query (``?`` placeholders) on the connection of a ``_reading``/``_transaction``."""
        return list(await db.execute_fetchall(sql, args))

    @staticmethod
    async def _run(db: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """One statement (``?`` placeholders) once per row of arguments."""
        await db.executemany(sql, rows)

    @staticmethod
    async def _execute(db: Any, sql: str, *args: Any) -> int:
        """One statement (``?`` placeholders); how many rows it wrote."""
        cursor = await db.execute(sql, args)
        return int(cursor.rowcount)

    async def _doc_freq(self, db: Any, tokens: Sequence[str]) -> dict[str, int]:
        """In how many statements each of these tokens is (the tokens in none are left out)."""
        doc_freq: dict[str, int] = {}
        for chunk in _chunks(tokens, 500):
            marks = ", ".join("?" * len(chunk))
            found = await self._fetch(db, f"SELECT token, doc FROM statement_terms WHERE token IN ({marks})", *chunk)
            doc_freq.update((str(term), int(doc)) for term, doc in found)
        return doc_freq

    async def _candidates(
        self, db: Any, queries: Sequence[tuple[str, list[str]]], doc_freq: dict[str, int], total: int
    ) -> dict[str, list[int]]:
        """For each (claim id, its search tokens): the ids of the :data:`CANDIDATES` statements that share
        the most of them, the rarest weighing most (:func:`token_weight`), the newest first on a tie.

        Why not FTS5's BM25 (``ORDER BY rank``): it scores every statement holding any of a claim's
        tokens (up to 680 at 85,000 statements), 20 to 30 ms a report in a chat of 10,000 reports; the
        tokens' posting lists read as they are and summed here take half, and rank as PostgreSQL does.
        """
        postings: dict[str, list[int]] = {}
        for chunk in _chunks(sorted({t for _, tokens in queries for t in tokens}), 100):
            union = " UNION ALL ".join(
                "SELECT ? AS token, rowid FROM statements_fts WHERE statements_fts MATCH ?" for _ in chunk
            )
            for token, rowid in await self._fetch(db, union, *(v for t in chunk for v in (t, f'"{t}"'))):
                postings.setdefault(str(token), []).append(int(rowid))
        # Why a thread: summing the postings of a report's claims is milliseconds of CPU in a big chat
        return await asyncio.to_thread(_ranked, queries, postings, doc_freq, total)

    # -- memory and matching ----------------------------------------------------------------------

    async def remember_report(
        self, chat_id: int, analysis_id: int, report: Report
    ) -> dict[str, dict[MatchLabel, Match]]:
        """Match the claims of a new analysis against everything this chat stored before, keep the
        matches, then add the claims to the chat's memory. Returns the matches by claim id and label.

        Claims stored only from the same article (a forward of it again) are not matches.
        """
        names = {s.id: s.name for s in report.sources}
        keys = await asyncio.to_thread(report_keys, report)  # Why: seconds for 8,000 claims, off the event loop
        claims = [
            _Claim(claim_id, key, names.get(c.source_id or ""))
            for (claim_id, key), c in zip(keys, report.claims, strict=True)
        ]
        async with self._transaction() as db:
            await self._run(
                db, "INSERT INTO chat_memories (chat_id) VALUES (?) ON CONFLICT (chat_id) DO NOTHING", [(chat_id,)]
            )
            # Why locked: one chat's memory is written by one transaction at a time (PostgreSQL: two
            # processes adding the same statements in other orders would wait on each other)
            memory = await self._fetch(
                db, "SELECT id, statements FROM chat_memories WHERE chat_id = ?" + self._LOCKED, chat_id
            )
            memory_id, total = int(memory[0][0]), int(memory[0][1])
            article = await self._fetch(db, "SELECT article_key FROM analyses WHERE id = ?", analysis_id)
            article_key = str(article[0][0]) if article else ""
            found = await self._match(db, memory_id, total, article_key, claims)
            await self._run(
                db,
                "INSERT INTO claim_matches (analysis_id, claim_id, label, statement_id, score, conflicts)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (analysis_id, claim_id, label) DO UPDATE SET"
                " statement_id = excluded.statement_id, score = excluded.score, conflicts = excluded.conflicts",
                [
                    (
                        analysis_id,
                        claim_id,
                        label,
                        statement_id,
                        match.score,
                        json.dumps([[a.text, b.text] for a, b in match.conflicts], ensure_ascii=False),
                    )
                    for claim_id, labels in found.items()
                    for label, (statement_id, match) in labels.items()
                ],
            )
            rows = [(claim, key_to_json(claim.key)) for claim in claims]
            await self._run(
                db,
                "INSERT INTO statements (memory_id, digest, key, source_name, tokens) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (memory_id, digest) DO NOTHING",
                [
                    (
                        memory_id,
                        _digest(key_json),
                        key_json,
                        claim.source_name,
                        " ".join(_token(memory_id, t) for t in search_terms(claim.key)),
                    )
                    for claim, key_json in rows
                ],
            )
            await self._run(
                db,
                "INSERT INTO statement_claims (analysis_id, claim_id, statement_id)"
                " SELECT ?, ?, id FROM statements WHERE memory_id = ? AND digest = ?"
                " ON CONFLICT (analysis_id, claim_id) DO NOTHING",
                [(analysis_id, claim.claim_id, memory_id, _digest(key_json)) for claim, key_json in rows],
            )
        return {claim_id: {label: match for label, (_, match) in labels.items()} for claim_id, labels in found.items()}

    async def desk_view(self, analysis_id: int, *, chat_id: int) -> DeskView:
        """This analysis's current verdicts and earlier matches (empty for another chat's analysis)."""
        async with self._reading() as db:
            verdicts = await self._fetch(
                db,
                f"SELECT {_VERDICT_COLUMNS} FROM verdicts v JOIN analyses a ON a.id = v.analysis_id"
                f" WHERE v.analysis_id = ? AND a.chat_id = ? AND {_CURRENT}",
                analysis_id,
                chat_id,
            )
            matches = await self._fetch(
                db,
                "SELECT m.claim_id, m.label, m.conflicts, s.source_name, e.analysis_id, e.claim_id, ea.title,"
                " ea.created_at, m.statement_id"
                " FROM claim_matches m JOIN analyses a ON a.id = m.analysis_id AND a.chat_id = ?"
                " JOIN statements s ON s.id = m.statement_id"
                " JOIN statement_claims e ON e.statement_id = m.statement_id"
                " JOIN analyses ea ON ea.id = e.analysis_id AND ea.article_key != a.article_key"
                " WHERE m.analysis_id = ?"
                " AND e.analysis_id = (SELECT min(f.analysis_id) FROM statement_claims f"
                "     JOIN analyses fa ON fa.id = f.analysis_id"
                "     WHERE f.statement_id = m.statement_id AND fa.article_key != a.article_key)"
                " ORDER BY m.claim_id, m.label",
                chat_id,
                analysis_id,
            )
            carried = await self._fetch(
                db,
                f"SELECT c.statement_id, {_VERDICT_COLUMNS} FROM verdicts v"
                " JOIN statement_claims c ON c.analysis_id = v.analysis_id AND c.claim_id = v.claim_id"
                " WHERE v.analysis_id != ? AND c.statement_id IN (SELECT statement_id FROM claim_matches WHERE analysis_id = ?)"
                f" AND {_CURRENT} ORDER BY v.id",
                analysis_id,
                analysis_id,
            )
        latest = {int(row[0]): _verdict(row[1:]) for row in carried}  # the newest last, so it wins
        earlier: dict[str, list[Earlier]] = {}
        for row in matches:
            earlier.setdefault(str(row[0]), []).append(
                Earlier(
                    label=row[1],
                    analysis_id=int(row[4]),
                    claim_id=str(row[5]),
                    title=row[6],
                    created_at=str(row[7]),
                    source_name=row[3],
                    conflicts=tuple((str(a), str(b)) for a, b in json.loads(row[2])),
                    verdict=latest.get(int(row[8])),
                )
            )
        order = {"same": 0, "corroborating": 1, "conflicting": 2}
        return DeskView(
            verdicts={v.claim_id: v for v in map(_verdict, verdicts)},
            earlier={claim: tuple(sorted(found, key=lambda e: order[e.label])) for claim, found in earlier.items()},
        )

    # -- verdicts ---------------------------------------------------------------------------------

    async def set_verdict(
        self,
        chat_id: int,
        analysis_id: int,
        claim_id: str,
        verdict: str,
        *,
        user_id: int | None,
        user_name: str | None,
        note: str | None = None,
    ) -> Verdict:
        """Give a claim a verdict (the earlier ones stay, as history). KeyError: no such claim in this chat."""
        if verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {verdict!r}; use one of {', '.join(VERDICTS)}")
        async with self._transaction() as db:
            await self._check_claim(db, chat_id, analysis_id, claim_id)
            return await self._insert_verdict(db, analysis_id, claim_id, verdict, note, user_id, user_name)

    async def note_verdict(
        self, chat_id: int, analysis_id: int, claim_id: str, note: str, *, user_id: int | None, user_name: str | None
    ) -> Verdict:
        """Add a one-line note to a claim's current verdict (a new history row with the same verdict).

        KeyError: no such claim in this chat, or it has no verdict yet.
        """
        async with self._transaction() as db:
            await self._check_claim(db, chat_id, analysis_id, claim_id)
            rows = await self._fetch(
                db,
                "SELECT verdict FROM verdicts WHERE analysis_id = ? AND claim_id = ? ORDER BY id DESC LIMIT 1",
                analysis_id,
                claim_id,
            )
            current = next(iter(rows), None)
            if current is None:
                raise KeyError(f"claim {claim_id} of analysis {analysis_id} has no verdict to note")
            return await self._insert_verdict(db, analysis_id, claim_id, current[0], note, user_id, user_name)

    async def verdict_history(self, chat_id: int, analysis_id: int, claim_id: str) -> list[Verdict]:
        """Every verdict given on this claim, oldest first (empty for another chat's claim)."""
        async with self._reading() as db:
            rows = await self._fetch(
                db,
                f"SELECT {_VERDICT_COLUMNS} FROM verdicts v JOIN analyses a ON a.id = v.analysis_id"
                " WHERE v.analysis_id = ? AND v.claim_id = ? AND a.chat_id = ? ORDER BY v.id",
                analysis_id,
                claim_id,
                chat_id,
            )
        return [_verdict(row) for row in rows]

    async def desk(self, chat_id: int, limit: int = 10) -> tuple[list[DeskEntry], list[DeskEntry]]:
        """``/desk``: (claims whose current verdict is "needs checking", the latest verdicts), newest first."""
        async with self._reading() as db:
            lists = []
            for condition in ("v.verdict = 'needs_checking'", "1 = 1"):
                rows = await self._fetch(
                    db,
                    f"SELECT {_VERDICT_COLUMNS}, c.text, a.title FROM verdicts v"
                    " JOIN analyses a ON a.id = v.analysis_id AND a.chat_id = ?"
                    " JOIN claims c ON c.report_id = a.report_id AND c.claim_id = v.claim_id"
                    f" WHERE {_CURRENT} AND {condition} ORDER BY v.id DESC LIMIT ?",
                    chat_id,
                    max(limit, 0),
                )
                lists.append([DeskEntry(int(r[0]), str(r[1]), str(r[7]), r[8], _verdict(r)) for r in rows])
        return lists[0], lists[1]

    async def set_verdicts_by(self, chat_id: int, who: str) -> None:
        """Who may give verdicts in this group: "admins" or "members" (every member)."""
        if who not in VERDICTS_BY:
            raise ValueError(f"unknown verdicts_by {who!r}; use one of {', '.join(VERDICTS_BY)}")
        async with self._transaction() as db:
            await self._run(
                db,
                "INSERT INTO chat_settings (chat_id, verdicts_by, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (chat_id) DO UPDATE SET verdicts_by = excluded.verdicts_by,"
                " updated_at = excluded.updated_at",
                [(chat_id, who, iso(self._now()))],
            )

    async def _match(
        self, db: Any, memory_id: int, total: int, article_key: str, claims: Sequence[_Claim]
    ) -> dict[str, dict[MatchLabel, tuple[int, Match]]]:
        """The best stored statement of each label for each claim among the ``total`` statements of the
        memory (candidates of the engine's full-text search, then the precise rules)."""
        if not total or not claims:
            return {}
        wanted = sorted({_token(memory_id, t) for claim in claims for t in search_terms(claim.key)})
        doc_freq = await self._doc_freq(db, wanted)
        common = max(COMMON_FLOOR, COMMON_SHARE * total)
        queries: list[tuple[str, list[str]]] = []
        for claim in claims:
            tokens = [_token(memory_id, t) for t in search_terms(claim.key)]
            rare = sorted((t for t in tokens if 0 < doc_freq.get(t, 0) <= common), key=lambda t: (doc_freq[t], t))
            if rare:
                queries.append((claim.claim_id, rare[:QUERY_TOKENS]))
        candidates = await self._candidates(db, queries, doc_freq, total)
        ids = sorted({i for found in candidates.values() for i in found})
        stored: list[tuple[int, str]] = []
        for chunk in _chunks(ids, 500):
            marks = ", ".join("?" * len(chunk))
            rows = await self._fetch(
                db,
                # Why "+": it keeps SQLite from reading the chat's whole (memory_id, digest) index for the
                # memory check instead of looking the ids up (30 ms against 0.2 ms at 30,000 statements)
                f"SELECT s.id, s.key FROM statements s WHERE s.id IN ({marks}) AND +s.memory_id = ? AND EXISTS (SELECT 1 FROM"
                " statement_claims c JOIN analyses a ON a.id = c.analysis_id WHERE c.statement_id = s.id"
                " AND a.article_key != ?)",
                *chunk,
                memory_id,
                article_key,
            )
            stored.extend((int(i), str(k)) for i, k in rows)
        # Why a thread: reading the candidates' keys and scoring them is tens of milliseconds of CPU for a
        # long report in a chat of 10,000 reports
        return await asyncio.to_thread(_best_of, claims, candidates, stored, doc_freq, memory_id, total)

    async def _check_claim(self, db: Any, chat_id: int, analysis_id: int, claim_id: str) -> None:
        rows = await self._fetch(
            db,
            "SELECT 1 FROM analyses a JOIN claims c ON c.report_id = a.report_id AND c.claim_id = ?"
            " WHERE a.id = ? AND a.chat_id = ?",
            claim_id,
            analysis_id,
            chat_id,
        )
        if not rows:
            raise KeyError(f"no claim {claim_id} in analysis {analysis_id} of chat {chat_id}")

    async def _insert_verdict(
        self,
        db: Any,
        analysis_id: int,
        claim_id: str,
        verdict: str,
        note: str | None,
        user_id: int | None,
        user_name: str | None,
    ) -> Verdict:
        line = " ".join(note.split())[:NOTE_LIMIT] if note else None
        created = iso(self._now())
        await self._run(
            db,
            "INSERT INTO verdicts (analysis_id, claim_id, verdict, note, user_id, user_name, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(analysis_id, claim_id, verdict, line or None, user_id, user_name, created)],
        )
        return Verdict(analysis_id, claim_id, cast(VerdictName, verdict), line or None, user_id, user_name, created)


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    return (items[i : i + size] for i in range(0, len(items), size))
