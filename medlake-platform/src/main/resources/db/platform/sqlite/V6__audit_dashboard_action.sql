-- The audit log gains the action 'dashboard' (saving, restoring and deleting dashboards). SQLite
-- cannot change a CHECK constraint in place: the table is rebuilt with every event copied as it
-- is (ids kept), inside this migration's transaction, and its indexes and append-only triggers are
-- made again. DROP TABLE does not fire the DELETE trigger.
CREATE TABLE audit_events_v6 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  role TEXT CHECK (role IN ('admin', 'analyst', 'viewer', 'uploader')),
  client_ip TEXT,
  action TEXT NOT NULL
    CHECK (action IN ('login', 'login_failed', 'logout', 'query', 'sql', 'export', 'upload', 'admin',
                      'dashboard')),
  target TEXT,
  outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'refused', 'failed')),
  details TEXT NOT NULL CHECK (json_valid(details) AND json_type(details) = 'object')
);

INSERT INTO audit_events_v6 (id, at, actor, role, client_ip, action, target, outcome, details)
  SELECT id, at, actor, role, client_ip, action, target, outcome, details FROM audit_events;

DROP TRIGGER audit_events_no_update;
DROP TRIGGER audit_events_no_delete;
DROP TABLE audit_events;
ALTER TABLE audit_events_v6 RENAME TO audit_events;

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
