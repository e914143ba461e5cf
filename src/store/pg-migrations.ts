/**
 * The PostgreSQL schema: the same records as the SQLite migrations (migrations.ts), written once in
 * PostgreSQL's dialect, plus what only a shared store needs (the replay guard's signatures and the
 * rate limits' buckets). Applied in order at start under an advisory lock, so instances starting
 * at once migrate one after another; app_meta records how far a database has come.
 *
 * Times are timestamptz and read back as ISO strings, the form the SQLite store keeps.
 */
export const PG_MIGRATIONS: readonly { name: string; sql: string }[] = [
  {
    name: '001-initial',
    sql: `
CREATE TABLE app_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE pinned_verdicts (
  id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  platform      TEXT NOT NULL CHECK (platform IN ('discord', 'slack', 'console')),
  server_id     TEXT NOT NULL,
  channel_id    TEXT NOT NULL,
  message_id    TEXT NOT NULL,
  query_key     TEXT NOT NULL,
  query_json    TEXT NOT NULL,
  state_id      TEXT,
  headline      TEXT NOT NULL,
  winner        TEXT NOT NULL,
  data_version  TEXT NOT NULL,
  pinned_by     TEXT NOT NULL,
  pinned_at     TIMESTAMPTZ NOT NULL,
  refreshed_at  TIMESTAMPTZ,
  unpinned_by   TEXT,
  unpinned_at   TIMESTAMPTZ,
  UNIQUE (platform, server_id, message_id)
);
CREATE INDEX pinned_verdicts_server ON pinned_verdicts (platform, server_id, pinned_at DESC) WHERE unpinned_at IS NULL;
CREATE INDEX pinned_verdicts_query ON pinned_verdicts (platform, server_id, query_key);
CREATE INDEX pinned_verdicts_state ON pinned_verdicts (state_id) WHERE unpinned_at IS NULL;

CREATE TABLE server_settings (
  platform       TEXT NOT NULL,
  server_id      TEXT NOT NULL,
  settings_json  TEXT NOT NULL,
  updated_by     TEXT NOT NULL,
  updated_at     TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (platform, server_id)
);

CREATE TABLE shared_queries (
  id          TEXT PRIMARY KEY,
  query_json  TEXT NOT NULL,
  posted_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX shared_queries_posted ON shared_queries (posted_at);

CREATE TABLE learned_models (
  ref         TEXT NOT NULL,
  source      TEXT NOT NULL CHECK (source IN ('huggingface', 'ollama')),
  status      TEXT NOT NULL CHECK (status IN ('found', 'not_found')),
  facts_json  TEXT NOT NULL CHECK (length(facts_json) <= 262144),
  fetched_at  TIMESTAMPTZ NOT NULL,
  expires_at  TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (source, ref)
);
CREATE INDEX learned_models_expires ON learned_models (expires_at);
CREATE INDEX learned_models_found_recent ON learned_models (fetched_at DESC) WHERE status = 'found';

-- A request signature any instance accepted, refused by every other until it can no longer be
-- presented (its timestamp's skew window). Unlogged: a crash of the server empties it, and a
-- request older than the window is refused by its timestamp anyway.
CREATE UNLOGGED TABLE seen_signatures (
  key         TEXT PRIMARY KEY,
  expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX seen_signatures_expires ON seen_signatures (expires_at);

-- Token buckets shared by every instance, on the database's clock. Unlogged for the same reason: a
-- lost bucket is a full one.
CREATE UNLOGGED TABLE rate_buckets (
  key         TEXT PRIMARY KEY,
  tokens      DOUBLE PRECISION NOT NULL,
  updated_at  TIMESTAMPTZ NOT NULL,
  -- The bucket's capacity and refill per minute when last used: a full one can be pruned.
  cap         DOUBLE PRECISION NOT NULL,
  rate        DOUBLE PRECISION NOT NULL
);
CREATE INDEX rate_buckets_updated ON rate_buckets (updated_at);

-- One atomic check of a user's and a server's buckets: both rows locked in key order, refilled
-- to now, and a token taken from each only when both have one. Returns the refusing scope and
-- the seconds until it has a token, or ok.
CREATE FUNCTION whichgpu_take(user_key TEXT, server_key TEXT, user_cap DOUBLE PRECISION, user_rate DOUBLE PRECISION,
                              server_cap DOUBLE PRECISION, server_rate DOUBLE PRECISION)
RETURNS TABLE (ok BOOLEAN, scope TEXT, retry_after INTEGER)
LANGUAGE plpgsql AS $$
DECLARE
  t TIMESTAMPTZ := clock_timestamp();
  u DOUBLE PRECISION;
  s DOUBLE PRECISION;
BEGIN
  INSERT INTO rate_buckets (key, tokens, updated_at, cap, rate)
    VALUES (user_key, user_cap, t, user_cap, user_rate), (server_key, server_cap, t, server_cap, server_rate)
    ON CONFLICT (key) DO NOTHING;
  PERFORM 1 FROM rate_buckets WHERE key IN (user_key, server_key) ORDER BY key FOR UPDATE;
  SELECT least(user_cap, tokens + extract(epoch FROM t - updated_at) / 60 * user_rate) INTO u
    FROM rate_buckets WHERE key = user_key;
  SELECT least(server_cap, tokens + extract(epoch FROM t - updated_at) / 60 * server_rate) INTO s
    FROM rate_buckets WHERE key = server_key;
  IF u < 1 THEN
    UPDATE rate_buckets SET tokens = u, updated_at = t, cap = user_cap, rate = user_rate WHERE key = user_key;
    UPDATE rate_buckets SET tokens = s, updated_at = t, cap = server_cap, rate = server_rate WHERE key = server_key;
    RETURN QUERY SELECT false, 'user'::TEXT, greatest(1, ceil((1 - u) / user_rate * 60))::INTEGER;
  ELSIF s < 1 THEN
    UPDATE rate_buckets SET tokens = u, updated_at = t, cap = user_cap, rate = user_rate WHERE key = user_key;
    UPDATE rate_buckets SET tokens = s, updated_at = t, cap = server_cap, rate = server_rate WHERE key = server_key;
    RETURN QUERY SELECT false, 'server'::TEXT, greatest(1, ceil((1 - s) / server_rate * 60))::INTEGER;
  ELSE
    UPDATE rate_buckets SET tokens = u - 1, updated_at = t, cap = user_cap, rate = user_rate WHERE key = user_key;
    UPDATE rate_buckets SET tokens = s - 1, updated_at = t, cap = server_cap, rate = server_rate WHERE key = server_key;
    RETURN QUERY SELECT true, NULL::TEXT, 0;
  END IF;
END
$$;
`,
  },
  {
    name: '002-slack-installations',
    sql: `
-- Slack workspaces (and Enterprise Grid orgs) that installed the app through OAuth. The
-- installation (Bolt's Installation object) is stored encrypted: AES-256-GCM under SLACK_TOKEN_KEY.
CREATE TABLE slack_installations (
  key         TEXT PRIMARY KEY,
  team_id     TEXT,
  enterprise_id TEXT,
  sealed      TEXT NOT NULL,
  installed_at TIMESTAMPTZ NOT NULL
);
`,
  },
  {
    name: '003-community-reports',
    sql: `
-- Speeds members measured and reported (issue 18), per server, pending until a moderator approves
-- or rejects them: the SQLite store's schema 8 in PostgreSQL's dialect.
CREATE TABLE community_reports (
  id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  platform          TEXT NOT NULL CHECK (platform IN ('discord', 'slack', 'console')),
  server_id         TEXT NOT NULL,
  channel_id        TEXT NOT NULL,
  reported_by       TEXT NOT NULL,
  reported_by_name  TEXT NOT NULL,
  reported_at       TIMESTAMPTZ NOT NULL,
  status            TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
  reviewed_by       TEXT,
  reviewed_at       TIMESTAMPTZ,
  device            TEXT NOT NULL,
  model             TEXT NOT NULL,
  quant             TEXT,
  runtime           TEXT,
  runtime_version   TEXT,
  depth_tokens      INTEGER NOT NULL DEFAULT 0 CHECK (depth_tokens >= 0),
  prompt_tokens     INTEGER CHECK (prompt_tokens >= 0),
  decode_tps        DOUBLE PRECISION CHECK (decode_tps > 0),
  prefill_tps       DOUBLE PRECISION CHECK (prefill_tps > 0),
  flagged           BOOLEAN NOT NULL DEFAULT false,
  pasted            TEXT NOT NULL CHECK (length(pasted) <= 4000),
  CHECK (decode_tps IS NOT NULL OR prefill_tps IS NOT NULL)
);
CREATE INDEX community_reports_server ON community_reports (platform, server_id, status, id DESC);
CREATE INDEX community_reports_approved ON community_reports (platform, server_id, device, model, quant)
  WHERE status = 'approved';
`,
  },
];
