"""storage/desk.py on both backends (the ``store_backend`` fixture): claim memory per chat, matches, verdicts and
their history."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from store_backends import StoreBackend

from bot.origin import Origin
from bot.report import Article, Claim, Figure, Report, Source
from storage import Storage

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

WALL = "The president said the wall along the southern border would be funded by the emergency declaration"
BRIDGE = "The Kafr Nabl bridge over the Orontes river was destroyed by shelling on the northern front"
TOLL = "The shelling of the Kafr Nabl market killed {n} people, the health directorate said"


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def article(
    title: str, claims: list[tuple[str, str | None]], *, outlet: str | None = "Example Times"
) -> tuple[str, Report]:
    """A text and its report: one claim per (text, source name or None for the outlet)."""
    text = "\n\n".join(t for t, _ in claims) + f"\n\n({title})"
    sources, built, at = [], [], 0
    for n, (claim_text, source) in enumerate(claims, 1):
        source_id = None
        if source:
            source_id = f"s{len(sources) + 1}"
            sources.append(Source(source_id, source, (), "organization", None, True, (f"c{n}",)))
        figures = tuple(
            Figure(
                word,
                (at + claim_text.index(word), at + claim_text.index(word) + len(word)),
                float(word),
                False,
                "people",
            )
            for word in claim_text.split()
            if word.isdigit()
        )
        built.append(
            Claim(
                f"c{n}",
                claim_text,
                (at, at + len(claim_text)),
                source_id,
                "said" if source else None,
                "paraphrase" if source else "outlet",
                figures,
            )
        )
        at += len(claim_text) + 2
    digest = hashlib.sha256(text.encode()).hexdigest()
    return text, Report(
        Article(title, outlet, None, "en", len(text.split()), digest), (), tuple(sources), tuple(built), (), (), "t1"
    )


@pytest.fixture
async def store(store_backend: StoreBackend) -> AsyncIterator[Storage]:
    async with await store_backend.open(clock=Clock()) as opened:
        yield opened


async def save(store: Storage, chat_id: int, title: str, claims: list[tuple[str, str | None]], **kw: str | None) -> int:
    text, report = article(title, claims, **kw)
    saved = await store.save_analysis(chat_id=chat_id, message_id=1, text=text, report=report, origin=Origin())
    await store.remember_report(chat_id, saved.id, report)
    return saved.id


async def test_storage_desk_a_repeated_claim_is_seen_before_with_its_verdict(store: Storage) -> None:
    first = await save(store, 1, "Monday", [(WALL, None), (BRIDGE, None)])
    await store.set_verdict(1, first, "c2", "verified", user_id=7, user_name="Alice")
    second = await save(store, 1, "Tuesday", [(BRIDGE, None)])
    view = await store.desk_view(second, chat_id=1)
    (earlier,) = view.earlier["c1"]
    assert (earlier.label, earlier.title, earlier.analysis_id, earlier.claim_id) == ("same", "Monday", first, "c2")
    assert earlier.verdict is not None and earlier.verdict.verdict == "verified"
    assert view.verdicts == {}


async def test_storage_desk_another_source_corroborates(store: Storage) -> None:
    await save(store, 1, "Monday", [(BRIDGE, "Reuters")])
    second = await save(store, 1, "Tuesday", [(BRIDGE, None)])
    (earlier,) = (await store.desk_view(second, chat_id=1)).earlier["c1"]
    assert (earlier.label, earlier.source_name) == ("corroborating", "Reuters")


async def test_storage_desk_a_conflicting_figure_is_kept_with_both_numbers(store: Storage) -> None:
    await save(store, 1, "Monday", [(TOLL.format(n=200), "health directorate")])
    second = await save(store, 1, "Tuesday", [(TOLL.format(n=500), "health directorate")])
    (earlier,) = (await store.desk_view(second, chat_id=1)).earlier["c1"]
    assert (earlier.label, earlier.conflicts) == ("conflicting", (("500", "200"),))


async def test_storage_desk_nothing_of_one_chat_appears_in_another(store: Storage) -> None:
    first = await save(store, 1, "Monday", [(BRIDGE, None)])
    await store.set_verdict(1, first, "c1", "false", user_id=7, user_name="Alice")
    other = await save(store, 2, "Tuesday", [(BRIDGE, None)])
    assert (await store.desk_view(other, chat_id=2)).earlier == {}
    assert await store.desk(2) == ([], [])
    assert (await store.desk_view(first, chat_id=2)).verdicts == {}
    with pytest.raises(KeyError):
        await store.set_verdict(2, first, "c1", "verified", user_id=8, user_name="Mallory")


async def test_storage_desk_the_same_article_again_is_not_a_match(store: Storage) -> None:
    await save(store, 1, "Monday", [(BRIDGE, None)])
    again = await save(store, 1, "Monday", [(BRIDGE, None)])
    assert (await store.desk_view(again, chat_id=1)).earlier == {}


async def test_storage_desk_verdicts_keep_their_history_and_notes(store: Storage) -> None:
    first = await save(store, 1, "Monday", [(WALL, None), (BRIDGE, None)])
    await store.set_verdict(1, first, "c1", "needs_checking", user_id=7, user_name="Alice")
    await store.set_verdict(1, first, "c2", "needs_checking", user_id=7, user_name="Alice")
    await store.set_verdict(1, first, "c1", "disputed", user_id=8, user_name="Bob")
    noted = await store.note_verdict(1, first, "c1", "  two sources\n disagree ", user_id=8, user_name="Bob")
    assert (noted.verdict, noted.note) == ("disputed", "two sources disagree")
    history = await store.verdict_history(1, first, "c1")
    assert [(v.verdict, v.user_name, v.note) for v in history] == [
        ("needs_checking", "Alice", None),
        ("disputed", "Bob", None),
        ("disputed", "Bob", "two sources disagree"),
    ]
    view = await store.desk_view(first, chat_id=1)
    assert {c: v.verdict for c, v in view.verdicts.items()} == {"c1": "disputed", "c2": "needs_checking"}
    needs, recent = await store.desk(1)
    assert [(e.claim_id, e.claim_text) for e in needs] == [("c2", BRIDGE)]
    assert [(e.claim_id, e.verdict.verdict) for e in recent] == [("c1", "disputed"), ("c2", "needs_checking")]


@pytest.mark.parametrize(
    ("verdict", "claim_id", "error"),
    [("true", "c1", ValueError), ("verified", "c9", KeyError)],
)
async def test_storage_desk_refuses_unknown_verdicts_and_claims(
    store: Storage, verdict: str, claim_id: str, error: type[Exception]
) -> None:
    first = await save(store, 1, "Monday", [(BRIDGE, None)])
    with pytest.raises(error):
        await store.set_verdict(1, first, claim_id, verdict, user_id=7, user_name="Alice")


async def test_storage_desk_a_note_needs_a_verdict(store: Storage) -> None:
    first = await save(store, 1, "Monday", [(BRIDGE, None)])
    with pytest.raises(KeyError):
        await store.note_verdict(1, first, "c1", "a note", user_id=7, user_name="Alice")


#: (plain tokens indexed, chat 1's tokens indexed): every token carries its memory, and chat 1 had memory 1.
INDEXED = {
    "sqlite": (
        "SELECT count(*) FROM statements_fts WHERE statements_fts MATCH 'kafr'",
        "SELECT count(*) FROM statements_vocab WHERE term LIKE 'm1x%'",
    ),
    "postgresql": (
        "SELECT count(*) FROM statements WHERE 'kafr' = ANY(search)",
        "SELECT count(*) FROM statements, unnest(search) t WHERE t LIKE 'm1x%'",
    ),
}


async def test_storage_desk_a_forgotten_chat_loses_its_verdicts_and_memory(
    store: Storage, store_backend: StoreBackend
) -> None:
    first = await save(store, 1, "Monday", [(BRIDGE, None)])
    await store.set_verdict(1, first, "c1", "verified", user_id=7, user_name="Alice")
    await save(store, 2, "Monday", [(BRIDGE, None)])
    await store.forget_chat(1)
    assert await store.desk(1) == ([], [])
    later = await save(store, 1, "Tuesday", [(BRIDGE, None)])
    assert (await store.desk_view(later, chat_id=1)).earlier == {}
    plain, forgotten = INDEXED[store_backend.name]
    assert await store_backend.count("verdicts") == 0
    assert await store_backend.fetchval(plain) == 0  # plain tokens are never indexed
    assert await store_backend.fetchval(forgotten) == 0  # chat 1's index entries went with it
    assert await store_backend.count("statements") == 2  # chat 2's claim, and chat 1's new one


async def test_storage_desk_retention_forgets_the_claims_of_purged_analyses(store: Storage) -> None:
    await save(store, 1, "Monday", [(BRIDGE, None)])
    await store.purge_older_than(0, now=START + timedelta(days=1))
    later = await save(store, 1, "Tuesday", [(BRIDGE, None)])
    assert (await store.desk_view(later, chat_id=1)).earlier == {}


#: The counts migration 10 keeps by triggers, as a query that is 0 when they equal a count of the rows.
COUNTS_WRONG = {
    "sqlite": "SELECT (SELECT count(*) FROM chat_memories m WHERE m.statements !="
    " (SELECT count(*) FROM statements s WHERE s.memory_id = m.id))"
    " + (SELECT count(*) FROM (SELECT token, doc FROM statement_terms EXCEPT SELECT term, doc FROM statements_vocab))"
    " + (SELECT count(*) FROM (SELECT term, doc FROM statements_vocab EXCEPT SELECT token, doc FROM statement_terms))",
    "postgresql": "SELECT count(*) FROM chat_memories m WHERE m.statements !="
    " (SELECT count(*) FROM statements s WHERE s.memory_id = m.id)",
}


async def test_storage_desk_counts_stay_in_step_with_the_statements(
    store: Storage, store_backend: StoreBackend
) -> None:
    await save(store, 1, "Monday", [(BRIDGE, None), (WALL, "White House")])
    await save(store, 2, "Monday", [(BRIDGE, None)])
    await save(store, 1, "Tuesday", [(BRIDGE, None), (TOLL.format(n=12), None)])
    assert await store_backend.fetchval("SELECT statements FROM chat_memories ORDER BY chat_id LIMIT 1") == 3
    assert await store_backend.fetchval(COUNTS_WRONG[store_backend.name]) == 0
    await store.purge_older_than(0, now=START + timedelta(days=1))
    assert await store_backend.fetchval("SELECT sum(statements) FROM chat_memories") == 0
    await save(store, 2, "Wednesday", [(WALL, None)])
    await store.forget_chat(1)
    assert await store_backend.fetchval(COUNTS_WRONG[store_backend.name]) == 0
    assert await store_backend.fetchval("SELECT statements FROM chat_memories") == 1


async def test_storage_desk_a_migrated_group_keeps_its_memory(store: Storage) -> None:
    first = await save(store, -1, "Monday", [(BRIDGE, None)])
    await store.migrate_chat(-1, -1001)
    later = await save(store, -1001, "Tuesday", [(BRIDGE, None)])
    (earlier,) = (await store.desk_view(later, chat_id=-1001)).earlier["c1"]
    assert earlier.analysis_id == first


async def test_storage_desk_who_may_give_verdicts_is_a_chat_setting(store: Storage) -> None:
    assert (await store.chat_settings(-5)).verdicts_by == "admins"
    await store.set_verdicts_by(-5, "members")
    assert (await store.chat_settings(-5)).verdicts_by == "members"
    with pytest.raises(ValueError):
        await store.set_verdicts_by(-5, "everyone")
