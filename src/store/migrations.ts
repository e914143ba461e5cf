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
  {
    name: '004-pinned-state-id',
    sql: `
-- whichgpu store, schema 4: the shared query a pinned message's components load, so pruning keeps
-- it while the pin is active. Older pins did not record it, and their query_json is a recomputed
-- verdict's, which names the model by id where the posted one kept it as typed (modelInput): the
-- backfill takes the newest stored question that is the pin's but for modelInput, read once.
ALTER TABLE pinned_verdicts ADD COLUMN state_id TEXT;

CREATE TEMP TABLE pin_queries AS
  SELECT id AS pin_id, json_remove(query_json, '$.modelInput') AS q FROM pinned_verdicts WHERE unpinned_at IS NULL;
CREATE INDEX temp.pin_queries_q ON pin_queries (q);
UPDATE pinned_verdicts SET state_id = found.state_id
  FROM (SELECT p.pin_id, s.id AS state_id, max(s.posted_at) FROM shared_queries s JOIN pin_queries p ON p.q = json_remove(s.query_json, '$.modelInput') GROUP BY p.pin_id) AS found
  WHERE pinned_verdicts.id = found.pin_id;
DROP TABLE temp.pin_queries;
`,
  },
  {
    name: '005-learned-models',
    sql: `
-- whichgpu store, schema 5: what a lookup learned about a model the catalog does not hold (the
-- Hugging Face Hub, the Ollama registry), shared by every process on the file until it expires:
-- a found model after 7 days, a "not found" after an hour. facts_json is LearnedFacts, or the
-- lookup's error for a not-found row.
CREATE TABLE learned_models (
  ref         TEXT NOT NULL,
  source      TEXT NOT NULL CHECK (source IN ('huggingface', 'ollama')),
  status      TEXT NOT NULL CHECK (status IN ('found', 'not_found')),
  facts_json  TEXT NOT NULL CHECK (length(facts_json) <= 262144),
  fetched_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL,
  PRIMARY KEY (source, ref)
) STRICT;
CREATE INDEX learned_models_expires ON learned_models (expires_at);
`,
  },
  {
    name: '006-learned-models-recent',
    sql: `
-- whichgpu store, schema 6: /compare's autocomplete offers the models learned most recently; a
-- partial index on the found rows' fetch time makes that list a short index scan, newest first,
-- however many "not found" rows the table holds.
CREATE INDEX learned_models_found_recent ON learned_models (fetched_at DESC) WHERE status = 'found';
`,
  },
  {
    name: '007-slack-installations',
    sql: `
-- whichgpu store, schema 7: Slack workspaces (and Enterprise Grid orgs) that installed the app
-- through OAuth; the installation is stored sealed (AES-256-GCM under SLACK_TOKEN_KEY).
CREATE TABLE slack_installations (
  key            TEXT PRIMARY KEY,
  team_id        TEXT,
  enterprise_id  TEXT,
  sealed         TEXT NOT NULL,
  installed_at   TEXT NOT NULL
) STRICT;
`,
  },
  {
    name: '008-community-reports',
    sql: `
-- whichgpu store, schema 8: speeds members measured and reported (issue 18), per server, pending
-- until a moderator approves or rejects them; approved ones show beside the estimate in this
-- server's verdicts and plans. device and model are catalog ids; flagged marks a figure outside
-- the estimate's band when reported; pasted keeps the first 4,000 characters of the paste.
CREATE TABLE community_reports (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  platform          TEXT    NOT NULL CHECK (platform IN ('discord', 'slack', 'console')),
  server_id         TEXT    NOT NULL,
  channel_id        TEXT    NOT NULL,
  reported_by       TEXT    NOT NULL,
  reported_by_name  TEXT    NOT NULL,
  reported_at       TEXT    NOT NULL,
  status            TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
  reviewed_by       TEXT,
  reviewed_at       TEXT,
  device            TEXT    NOT NULL,
  model             TEXT    NOT NULL,
  quant             TEXT,
  runtime           TEXT,
  runtime_version   TEXT,
  depth_tokens      INTEGER NOT NULL DEFAULT 0 CHECK (depth_tokens >= 0),
  prompt_tokens     INTEGER CHECK (prompt_tokens >= 0),
  decode_tps        REAL    CHECK (decode_tps > 0),
  prefill_tps       REAL    CHECK (prefill_tps > 0),
  flagged           INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
  pasted            TEXT    NOT NULL CHECK (length(pasted) <= 4000),
  CHECK (decode_tps IS NOT NULL OR prefill_tps IS NOT NULL)
) STRICT;
CREATE INDEX community_reports_server ON community_reports (platform, server_id, status, id DESC);
CREATE INDEX community_reports_approved ON community_reports (platform, server_id, device, model, quant)
  WHERE status = 'approved';
`,
  },
];
