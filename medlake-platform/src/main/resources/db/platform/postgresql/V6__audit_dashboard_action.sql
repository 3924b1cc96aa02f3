-- PostgreSQL twin of db/platform/sqlite/V6: the audit log gains the action 'dashboard'. The CHECK is
-- swapped in place (the events stay as they are).
ALTER TABLE audit_events DROP CONSTRAINT audit_events_action_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_action_check
  CHECK (action IN ('login', 'login_failed', 'logout', 'query', 'sql', 'export', 'upload', 'admin',
                    'dashboard'));
