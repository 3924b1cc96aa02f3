-- Every login, query, export, upload and admin action. Rows are only ever inserted: the triggers
-- below refuse UPDATE and DELETE. details is a JSON object of counters and identifiers (bytes
-- scanned, snapshot ids, an error code, the SHA-256 of an SQL text), never result rows or SQL text.
CREATE TABLE audit_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  role TEXT CHECK (role IN ('admin', 'analyst', 'viewer', 'uploader')),
  client_ip TEXT,
  action TEXT NOT NULL
    CHECK (action IN ('login', 'login_failed', 'logout', 'query', 'sql', 'export', 'upload', 'admin')),
  target TEXT,
  outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'refused', 'failed')),
  details TEXT NOT NULL CHECK (json_valid(details) AND json_type(details) = 'object')
);

CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_actor_at ON audit_events (actor, at);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;
