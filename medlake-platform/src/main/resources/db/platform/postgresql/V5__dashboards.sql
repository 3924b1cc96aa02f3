-- PostgreSQL twin of db/platform/sqlite/V5 (saved dashboards and every version of each); keep the
-- two in step.
CREATE TABLE dashboards (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  created_at TEXT NOT NULL
);

CREATE TABLE dashboard_versions (
  dashboard_id BIGINT NOT NULL REFERENCES dashboards (id),
  version INTEGER NOT NULL CHECK (version >= 1),
  name TEXT NOT NULL,
  visibility TEXT NOT NULL CHECK (visibility IN ('private', 'roles')),
  shared_roles TEXT NOT NULL,
  document TEXT NOT NULL CHECK (jsonb_typeof(document::jsonb) = 'object'),
  saved_at TEXT NOT NULL,
  saved_by TEXT NOT NULL,
  restored_from INTEGER,
  PRIMARY KEY (dashboard_id, version)
);
