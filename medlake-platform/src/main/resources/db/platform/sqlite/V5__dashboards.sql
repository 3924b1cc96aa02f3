-- Saved dashboards (docs/api.md, Dashboards). dashboards holds who owns one and its current version;
-- every saved version stays in dashboard_versions (the edit history; a restore saves an old version
-- again as the newest, naming it in restored_from) until the dashboard is deleted. document is the
-- JSON object of the version's description, filters and tiles, as the server validated it.
-- shared_roles is a comma-separated list of role keys, empty for a private dashboard.
CREATE TABLE dashboards (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  owner TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  created_at TEXT NOT NULL
);

CREATE TABLE dashboard_versions (
  dashboard_id INTEGER NOT NULL REFERENCES dashboards (id),
  version INTEGER NOT NULL CHECK (version >= 1),
  name TEXT NOT NULL,
  visibility TEXT NOT NULL CHECK (visibility IN ('private', 'roles')),
  shared_roles TEXT NOT NULL,
  document TEXT NOT NULL CHECK (json_valid(document) AND json_type(document) = 'object'),
  saved_at TEXT NOT NULL,
  saved_by TEXT NOT NULL,
  restored_from INTEGER,
  PRIMARY KEY (dashboard_id, version)
);
