-- PostgreSQL twin of db/platform/V1 (the distributed profile); keep the two in step.
-- Timestamps stay fixed-width UTC text, as in SQLite, so that the same code reads both.
CREATE TABLE users (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'viewer', 'uploader')),
  hospital_id TEXT,
  password_hash TEXT NOT NULL,
  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  created_at TEXT NOT NULL,
  CHECK ((role = 'uploader') = (hospital_id IS NOT NULL))
);

-- Only the SHA-256 of a token's secret is stored; the secret itself is shown once, at creation.
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  user_name TEXT NOT NULL REFERENCES users (name),
  secret_sha256 TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked_at TEXT
);

CREATE INDEX api_tokens_user ON api_tokens (user_name);
