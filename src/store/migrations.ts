/**
 * The schema, as ordered migrations kept in the repo and applied at start (each in a transaction;
 * PRAGMA user_version records how far a file has come). SQL lives here as text so the bundled
 * build and the tests read the same migrations without a file path to resolve.
 */
export const MIGRATIONS: readonly { name: string; sql: string }[] = [
  {
    name: '001-initial',
    sql: `
-- whichgpu store, schema 1: pinned verdicts and per-server settings.
CREATE TABLE app_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE pinned_verdicts (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  platform      TEXT    NOT NULL CHECK (platform IN ('discord', 'slack', 'console')),
  server_id     TEXT    NOT NULL,
  channel_id    TEXT    NOT NULL,
  message_id    TEXT    NOT NULL,
  query_key     TEXT    NOT NULL,
  query_json    TEXT    NOT NULL,
  headline      TEXT    NOT NULL,
  winner        TEXT    NOT NULL,
  data_version  TEXT    NOT NULL,
  pinned_by     TEXT    NOT NULL,
  pinned_at     TEXT    NOT NULL,
  refreshed_at  TEXT,
  unpinned_by   TEXT,
  unpinned_at   TEXT,
  UNIQUE (platform, server_id, message_id)
) STRICT;

CREATE INDEX pinned_verdicts_server ON pinned_verdicts (platform, server_id, unpinned_at, pinned_at DESC);
CREATE INDEX pinned_verdicts_query ON pinned_verdicts (platform, server_id, query_key);

CREATE TABLE server_settings (
  platform        TEXT NOT NULL,
  server_id       TEXT NOT NULL,
  settings_json   TEXT NOT NULL,
  updated_by      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  PRIMARY KEY (platform, server_id)
) STRICT;
`,
  },
  {
    name: '002-shared-queries',
    sql: `
-- whichgpu store, schema 2: the normalized query behind a posted verdict, so message components
-- (quant and context selects, Pin, Sources) can recompute it; their custom ids carry only the id.
CREATE TABLE shared_queries (
  id          TEXT PRIMARY KEY,
  query_json  TEXT NOT NULL,
  created_at  TEXT NOT NULL
) STRICT;
`,
  },
  {
    name: '003-shared-queries-posted-at',
    sql: `
-- whichgpu store, schema 3: a shared query is kept for a while after the verdict that uses it was
-- last posted (a question asked again moves it forward), then pruned by age; the index makes each
-- pruning batch a range scan instead of a read of the whole table.
ALTER TABLE shared_queries RENAME COLUMN created_at TO posted_at;
CREATE INDEX shared_queries_posted ON shared_queries (posted_at);
`,
  },
];
