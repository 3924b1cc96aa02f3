-- PostgreSQL twin of db/platform/V2: every login, query, export, upload and admin action. Rows are
-- only ever inserted: the trigger refuses UPDATE and DELETE (and TRUNCATE). details is a JSON object
-- of counters and identifiers, never result rows or SQL text.
CREATE TABLE audit_events (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  role TEXT CHECK (role IN ('admin', 'analyst', 'viewer', 'uploader')),
  client_ip TEXT,
  action TEXT NOT NULL
    CHECK (action IN ('login', 'login_failed', 'logout', 'query', 'sql', 'export', 'upload', 'admin')),
  target TEXT,
  outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'refused', 'failed')),
  details TEXT NOT NULL CHECK (jsonb_typeof(details::jsonb) = 'object')
);

CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_actor_at ON audit_events (actor, at);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only';
END;
$$;

CREATE TRIGGER audit_events_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
