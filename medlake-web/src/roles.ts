import type { Role } from "./types";

/**
 * What each role may do, in the words of docs/security.md ("Roles"); the server enforces it (the
 * x-roles of each operation in openapi.json).
 */
export const ROLE_ABILITIES: Record<Role, string> = {
  admin:
    "Everything an analyst may do, for every hospital; manage users and API tokens; read the audit log; " +
    "follow every hospital's runs and rejects, upload and trigger runs for any hospital, approve held runs.",
  analyst:
    "Browse the catalogue; ad-hoc SQL, structured and predefined queries over pseudonymized row-level data; " +
    "download results; build and share dashboards. No ingestion, no administration.",
  viewer:
    "Browse the catalogue; structured and predefined queries as aggregates only, with groups of fewer than " +
    "k patients suppressed; download those aggregates; open dashboards shared with viewers. No SQL, no rows.",
  uploader:
    "For its one hospital only: upload monthly files and trigger runs, follow its runs and rejects, see its " +
    "missing deliveries. No queries.",
};

/** The roles in the order the admin page lists them: most to least powerful, then the hospital role. */
export const ROLES: Role[] = ["admin", "analyst", "viewer", "uploader"];
