-- whichgpu store, schema 2: the normalized query behind a posted verdict, so message components
-- (quant and context selects, Pin, Sources) can recompute it; their custom ids carry only the id.
CREATE TABLE shared_queries (
  id          TEXT PRIMARY KEY,
  query_json  TEXT NOT NULL,
  created_at  TEXT NOT NULL
) STRICT;
