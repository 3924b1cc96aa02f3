-- The run ledger's tables (one SQL for SQLite and PostgreSQL). Before Flyway the ledger created them
-- itself, so an existing database may already hold them, in an older layout: V4 adds the columns such
-- a layout lacks. BIGINT: 64-bit in PostgreSQL (byte counts and snapshot ids need more than its
-- INTEGER), the same INTEGER affinity in SQLite. status has no CHECK: a status added later (HELD)
-- needs no table rebuild, and only the ledger writes it. flagged_by_reason and unmapped_codes are
-- JSON objects of counts.
CREATE TABLE IF NOT EXISTS ingest_runs (
  id TEXT PRIMARY KEY,
  source_file TEXT NOT NULL,
  source_id TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  hospital_id TEXT NOT NULL,
  month TEXT NOT NULL,
  status TEXT NOT NULL,
  started_at TEXT NOT NULL,
  rows_read BIGINT NOT NULL,
  rows_accepted BIGINT NOT NULL,
  rows_rejected BIGINT NOT NULL,
  rows_filtered BIGINT NOT NULL,
  bytes_in BIGINT NOT NULL,
  bytes_out BIGINT NOT NULL,
  duration_ms BIGINT NOT NULL,
  snapshot_id BIGINT,
  message TEXT NOT NULL,
  flagged_by_reason TEXT NOT NULL DEFAULT '{}',
  unmapped_codes TEXT NOT NULL DEFAULT '{}',
  mapping_sha256 TEXT NOT NULL DEFAULT '',
  superseded_by TEXT,
  -- "host pid start-instant" of the process recording a RUNNING run, to find runs it left behind
  owner TEXT,
  CHECK (rows_read = rows_accepted + rows_rejected)
);

CREATE INDEX IF NOT EXISTS ingest_runs_sha ON ingest_runs (sha256);

CREATE TABLE IF NOT EXISTS ingest_run_reasons (
  run_id TEXT NOT NULL REFERENCES ingest_runs (id),
  reason TEXT NOT NULL,
  rows BIGINT NOT NULL,
  PRIMARY KEY (run_id, reason)
);
