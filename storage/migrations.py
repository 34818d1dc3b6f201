"""Numbered schema migrations, tracked with ``PRAGMA user_version``.

Migration N brings a database from ``user_version`` N-1 to N. Each is plain SQL (pure data), applied
by :class:`storage.store.Store` in its own ``BEGIN IMMEDIATE ... COMMIT``; ``user_version`` is set
inside the same transaction, so a migration is applied completely or not at all. Never edit a
migration that has shipped: add a new one.
"""

from __future__ import annotations

import sqlite3

MIGRATION_1 = """
CREATE TABLE articles (
    key         TEXT PRIMARY KEY,          -- sha256 of the normalised text
    text        TEXT NOT NULL,             -- the exact text as first received
    created_at  TEXT NOT NULL
);

CREATE TABLE reports (
    id                 INTEGER PRIMARY KEY,
    article_key        TEXT NOT NULL REFERENCES articles(key) ON DELETE CASCADE,
    extractor_version  TEXT NOT NULL,
    report             TEXT NOT NULL,      -- Report.to_dict() as JSON
    created_at         TEXT NOT NULL,
    UNIQUE (article_key, extractor_version)
);

CREATE TABLE analyses (
    id          INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    article_key TEXT NOT NULL REFERENCES articles(key),
    report_id   INTEGER NOT NULL REFERENCES reports(id),
    title       TEXT,
    origin      TEXT NOT NULL,             -- JSON, as the bot gave it
    created_at  TEXT NOT NULL
);
CREATE INDEX analyses_by_chat ON analyses (chat_id, id);
CREATE INDEX analyses_by_article ON analyses (article_key, chat_id);
CREATE INDEX analyses_by_report ON analyses (report_id);
CREATE INDEX analyses_by_date ON analyses (created_at);

CREATE TABLE claims (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    claim_id    TEXT NOT NULL,
    text        TEXT NOT NULL,
    source_id   TEXT,
    cue         TEXT,
    kind        TEXT NOT NULL,
    span_start  INTEGER NOT NULL,
    span_end    INTEGER NOT NULL,
    UNIQUE (report_id, claim_id)
);

CREATE TABLE sources (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    source_id   TEXT NOT NULL,
    name        TEXT NOT NULL,
    aliases     TEXT NOT NULL,             -- JSON list
    kind        TEXT NOT NULL,
    role        TEXT,
    named       INTEGER NOT NULL,
    UNIQUE (report_id, source_id)
);

CREATE TABLE unverified (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    claim_id    TEXT,
    reason      TEXT NOT NULL,
    evidence    TEXT NOT NULL,
    span_start  INTEGER NOT NULL,
    span_end    INTEGER NOT NULL
);
CREATE INDEX unverified_by_report ON unverified (report_id);

CREATE TABLE inbox (
    update_id         INTEGER PRIMARY KEY,
    chat_id           INTEGER NOT NULL,
    message_id        INTEGER NOT NULL,
    raw               TEXT NOT NULL,       -- the message as JSON
    status            TEXT NOT NULL CHECK (status IN ('pending', 'retry', 'done', 'gave_up')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    last_error        TEXT,
    next_attempt_at   TEXT,
    reply_message_id  INTEGER,
    analysis_id       INTEGER REFERENCES analyses(id) ON DELETE SET NULL,
    reported          INTEGER NOT NULL DEFAULT 0,
    session           TEXT NOT NULL,       -- the Store.open() that last took the item
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX inbox_by_status ON inbox (status, next_attempt_at);
CREATE INDEX inbox_by_chat ON inbox (chat_id);

CREATE TABLE chat_settings (
    chat_id          INTEGER PRIMARY KEY,
    mode             TEXT NOT NULL DEFAULT 'forwards_and_mentions',
    channel_reports  INTEGER NOT NULL DEFAULT 0,
    unreachable      TEXT,
    updated_at       TEXT NOT NULL
);
"""

MIGRATION_2 = """
-- Full-text search over claim text and source names (external content: the rows stay in claims /
-- sources; triggers keep the indexes in step; existing rows are indexed by 'rebuild').
CREATE VIRTUAL TABLE claims_fts USING fts5 (
    text, content='claims', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE sources_fts USING fts5 (
    name, aliases, content='sources', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2'
);
INSERT INTO claims_fts (claims_fts) VALUES ('rebuild');
INSERT INTO sources_fts (sources_fts) VALUES ('rebuild');

CREATE TRIGGER claims_fts_insert AFTER INSERT ON claims BEGIN
    INSERT INTO claims_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER claims_fts_delete AFTER DELETE ON claims BEGIN
    INSERT INTO claims_fts (claims_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER sources_fts_insert AFTER INSERT ON sources BEGIN
    INSERT INTO sources_fts (rowid, name, aliases) VALUES (new.id, new.name, new.aliases);
END;
CREATE TRIGGER sources_fts_delete AFTER DELETE ON sources BEGIN
    INSERT INTO sources_fts (sources_fts, rowid, name, aliases)
        VALUES ('delete', old.id, old.name, old.aliases);
END;
"""

MIGRATION_3 = """
-- Pages fetched for links (bot/links): the extracted article by final URL (after redirects), and
-- every requested URL that led to one, so a second request for a URL does not fetch again.
CREATE TABLE fetched_pages (
    url         TEXT PRIMARY KEY,          -- the final URL
    text        TEXT NOT NULL,             -- the extracted article text
    title       TEXT,
    site_name   TEXT,
    published   TEXT,
    fetched_at  TEXT NOT NULL
);
CREATE INDEX fetched_pages_by_date ON fetched_pages (fetched_at);

CREATE TABLE fetched_urls (
    url       TEXT PRIMARY KEY,            -- a URL as requested
    page_url  TEXT NOT NULL REFERENCES fetched_pages(url) ON DELETE CASCADE
);
CREATE INDEX fetched_urls_by_page ON fetched_urls (page_url);
"""

MIGRATION_4 = """
-- The desk (bot/matching.py, storage/desk.py), 1 of 3: each chat's memory of claims. A chat's claims are
-- indexed under its memory id
-- (search tokens "m<id>x<term>"), so a search never reads another chat's postings, and a group that
-- migrates keeps its memory by moving one row.
CREATE TABLE chat_memories (
    id       INTEGER PRIMARY KEY,
    chat_id  INTEGER NOT NULL UNIQUE
);

CREATE TABLE statements (                  -- one distinct claim of a chat, as matching compares it
    id           INTEGER PRIMARY KEY,
    memory_id    INTEGER NOT NULL REFERENCES chat_memories(id) ON DELETE CASCADE,
    digest       TEXT NOT NULL,            -- sha256 of key
    key          TEXT NOT NULL,            -- bot.matching.key_to_json
    source_name  TEXT,                     -- the source as the report names it; NULL: the outlet's own
    tokens       TEXT NOT NULL,            -- the search tokens, prefixed with the memory
    UNIQUE (memory_id, digest)
);
CREATE VIRTUAL TABLE statements_fts USING fts5 (
    tokens, content='statements', content_rowid='id', tokenize='unicode61 remove_diacritics 0'
);
CREATE TRIGGER statements_fts_insert AFTER INSERT ON statements BEGIN
    INSERT INTO statements_fts (rowid, tokens) VALUES (new.id, new.tokens);
END;
CREATE TRIGGER statements_fts_delete AFTER DELETE ON statements BEGIN
    INSERT INTO statements_fts (statements_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens);
END;
CREATE VIRTUAL TABLE statements_vocab USING fts5vocab (statements_fts, 'row');

CREATE TABLE statement_claims (            -- where a statement was made: a claim of an analysis
    analysis_id   INTEGER NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
    claim_id      TEXT NOT NULL,
    statement_id  INTEGER NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
    PRIMARY KEY (analysis_id, claim_id)
);
CREATE INDEX statement_claims_by_statement ON statement_claims (statement_id, analysis_id);
"""

MIGRATION_5 = """
-- What each claim of an analysis matched in its chat's memory when the analysis was made.
CREATE TABLE claim_matches (               -- what a claim matched when its analysis was made
    analysis_id   INTEGER NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
    claim_id      TEXT NOT NULL,
    label         TEXT NOT NULL CHECK (label IN ('same', 'corroborating', 'conflicting')),
    statement_id  INTEGER NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
    score         REAL NOT NULL,
    conflicts     TEXT NOT NULL,           -- JSON list of [figure here, figure there]
    PRIMARY KEY (analysis_id, claim_id, label)
);
CREATE INDEX claim_matches_by_statement ON claim_matches (statement_id);
"""

MIGRATION_6 = """
-- The editors' verdicts on claims (every one kept: the newest per claim is its current verdict), and who
-- may give them in a group.
CREATE TABLE verdicts (                    -- every verdict given, the newest per claim is the current one
    id           INTEGER PRIMARY KEY,
    analysis_id  INTEGER NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
    claim_id     TEXT NOT NULL,
    verdict      TEXT NOT NULL CHECK (verdict IN ('verified', 'false', 'disputed', 'needs_checking')),
    note         TEXT,
    user_id      INTEGER,
    user_name    TEXT,
    created_at   TEXT NOT NULL
);
CREATE INDEX verdicts_by_claim ON verdicts (analysis_id, claim_id, id);

ALTER TABLE chat_settings ADD COLUMN verdicts_by TEXT NOT NULL DEFAULT 'admins'
    CHECK (verdicts_by IN ('admins', 'members'));
"""

MIGRATION_7 = """
-- Every update received from Telegram, kept before the next getUpdates confirms it (or before the
-- webhook answers 200), and deleted once its handlers have run: what is left was received by a process
-- that died, and the next start handles it.
CREATE TABLE received_updates (
    update_id    INTEGER PRIMARY KEY,
    raw          TEXT NOT NULL,            -- the update as JSON (Update.to_dict())
    received_at  TEXT NOT NULL
);
"""

MIGRATION_8 = """
-- Search by chat. chat_search holds one entry per claim and per source of the latest analysis of each
-- article in each chat; every chat owns a block of 2^40 rowids (search_chats.block), its entries
-- numbered in the order they were added, so that a search reads its own chat's matches only (a rowid
-- range, which FTS5 seeks to) and the newest first, instead of every chat's matches joined back to
-- analyses (claims_fts and sources_fts, no longer read). search_entries says which rowids belong to
-- which analysis, so they can be deleted with it.
CREATE TABLE search_chats (
    chat_id     INTEGER PRIMARY KEY,
    block       INTEGER NOT NULL UNIQUE,
    next_entry  INTEGER NOT NULL DEFAULT 0    -- the number the chat's next entry gets
);
CREATE TABLE search_entries (
    analysis_id  INTEGER PRIMARY KEY REFERENCES analyses(id) ON DELETE CASCADE,
    first_rowid  INTEGER NOT NULL,
    last_rowid   INTEGER NOT NULL
);
CREATE VIRTUAL TABLE chat_search USING fts5 (
    words, analysis_id UNINDEXED, kind UNINDEXED, shown UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

INSERT INTO search_chats (chat_id, block)
    SELECT chat_id, row_number() OVER (ORDER BY chat_id) FROM (SELECT DISTINCT chat_id FROM analyses);
INSERT INTO chat_search (rowid, words, analysis_id, kind, shown)
    WITH latest AS (
        SELECT a.id, a.chat_id, a.report_id FROM analyses a
        WHERE a.id = (SELECT max(b.id) FROM analyses b WHERE b.chat_id = a.chat_id AND b.article_key = a.article_key)
    ), entries AS (
        SELECT l.id AS analysis_id, l.chat_id, 'claim' AS kind, c.text AS words, NULL AS shown, c.id AS place
            FROM latest l JOIN claims c ON c.report_id = l.report_id
        UNION ALL
        SELECT l.id, l.chat_id, 'source', s.name || ' ' || s.aliases, s.name, s.id
            FROM latest l JOIN sources s ON s.report_id = l.report_id
    )
    SELECT sc.block * 1099511627776
               + row_number() OVER (PARTITION BY e.chat_id ORDER BY e.analysis_id, e.kind, e.place) - 1,
           e.words, e.analysis_id, e.kind, e.shown
    FROM entries e JOIN search_chats sc ON sc.chat_id = e.chat_id;
INSERT INTO search_entries (analysis_id, first_rowid, last_rowid)
    SELECT analysis_id, min(rowid), max(rowid) FROM chat_search GROUP BY analysis_id;
UPDATE search_chats SET next_entry = coalesce(
    (SELECT max(e.last_rowid) FROM search_entries e
     WHERE e.last_rowid BETWEEN search_chats.block * 1099511627776 AND search_chats.block * 1099511627776 + 1099511627775)
    - search_chats.block * 1099511627776 + 1, 0);

DROP TRIGGER claims_fts_insert;
DROP TRIGGER claims_fts_delete;
DROP TRIGGER sources_fts_insert;
DROP TRIGGER sources_fts_delete;
DROP TABLE claims_fts;
DROP TABLE sources_fts;
"""

MIGRATION_9 = """
-- Articles by channel: each analysis's channel (or sender) name, as /search matches it (the origin's
-- chat_title, else its sender_name: bot.origin.Origin, storage.rows.channel_name), indexed per chat, and
-- each chat's distinct names (chat_channels). /search reads the chat's names, keeps those holding every
-- word of the query, and takes the newest articles of each through the index (LIMIT), instead of
-- reading every article of the chat to look into its origin JSON.
ALTER TABLE analyses ADD COLUMN channel TEXT;
UPDATE analyses SET channel = coalesce(nullif(json_extract(origin, '$.chat_title'), ''),
                                       nullif(json_extract(origin, '$.sender_name'), ''))
    WHERE json_valid(origin);
CREATE INDEX analyses_by_channel ON analyses (chat_id, channel, id) WHERE channel IS NOT NULL;
CREATE TABLE chat_channels (               -- the channel (or sender) names of a chat's analyses
    chat_id  INTEGER NOT NULL,
    name     TEXT NOT NULL,
    PRIMARY KEY (chat_id, name)
) WITHOUT ROWID;
INSERT INTO chat_channels (chat_id, name) SELECT DISTINCT chat_id, channel FROM analyses WHERE channel IS NOT NULL;
"""

MIGRATION_10 = """
-- The desk's counts, kept in step by triggers instead of counted at every match (storage/desk.py): each
-- chat's number of statements (chat_memories.statements), and each search token's number of statements
-- (statement_terms, what statements_vocab counts by reading the token's whole posting list: 10 ms and
-- more a report in a chat of 10,000 reports). A statement's tokens (letters and digits, one space
-- between) are read as a JSON array.
ALTER TABLE chat_memories ADD COLUMN statements INTEGER NOT NULL DEFAULT 0;
UPDATE chat_memories SET statements = (SELECT count(*) FROM statements s WHERE s.memory_id = chat_memories.id);
CREATE TABLE statement_terms (             -- in how many statements each search token is
    token  TEXT PRIMARY KEY,
    doc    INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO statement_terms (token, doc) SELECT term, doc FROM statements_vocab WHERE doc > 0;
CREATE TRIGGER statements_count_insert AFTER INSERT ON statements BEGIN
    UPDATE chat_memories SET statements = statements + 1 WHERE id = new.memory_id;
    INSERT INTO statement_terms (token, doc)
        SELECT value, 1 FROM json_each('["' || replace(new.tokens, ' ', '","') || '"]') WHERE value != ''
        ON CONFLICT (token) DO UPDATE SET doc = doc + 1;
END;
CREATE TRIGGER statements_count_delete AFTER DELETE ON statements BEGIN
    UPDATE chat_memories SET statements = statements - 1 WHERE id = old.memory_id;
    UPDATE statement_terms SET doc = doc - 1
        WHERE token IN (SELECT value FROM json_each('["' || replace(old.tokens, ' ', '","') || '"]'));
    DELETE FROM statement_terms
        WHERE doc <= 0 AND token IN (SELECT value FROM json_each('["' || replace(old.tokens, ' ', '","') || '"]'));
END;
"""

#: ``MIGRATIONS[n - 1]`` brings the schema from version n-1 to n.
MIGRATIONS: tuple[str, ...] = (
    MIGRATION_1,
    MIGRATION_2,
    MIGRATION_3,
    MIGRATION_4,
    MIGRATION_5,
    MIGRATION_6,
    MIGRATION_7,
    MIGRATION_8,
    MIGRATION_9,
    MIGRATION_10,
)

LATEST_VERSION = len(MIGRATIONS)


def statements(script: str) -> list[str]:
    """Split a migration into single statements (trigger bodies with inner ``;`` stay whole)."""
    result: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        if not pending and (not line.strip() or line.lstrip().startswith("--")):
            continue
        pending += line
        if sqlite3.complete_statement(pending):
            result.append(pending.strip())
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement in migration: {pending.strip()[:80]!r}")
    return result
