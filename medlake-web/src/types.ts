/**
 * The JSON the medlake server answers. The OpenAPI document
 * (medlake-server/src/main/resources/org/medlake/server/openapi.json) is the one source: `npm run
 * generate` (part of build, test and lint) turns its schemas into src/generated/openapi.ts with
 * openapi-typescript, and this module only names them. Written here is what the document cannot
 * say: ids above 2^53 that parseJson keeps exact as strings, and client-side shapes.
 */
import type { components } from "./generated/openapi";

type Schemas = components["schemas"];

/** An Iceberg snapshot id: int64 on the wire, above 2^53 kept exact as a string by parseJson. */
type ExactId = number | string;

/** Role keys: {@code Role.key()} in medlake-core. */
export type Role = Schemas["Role"];

/** components.schemas.Error: every error answer. */
export type ErrorBody = Schemas["Error"];

/** GET /api/v1/me. */
export type Me = Schemas["Me"];

/** POST /api/v1/login: the user plus the CSRF token for state-changing requests. */
export type LoginResponse = Schemas["LoginResponse"];

/** POST /api/v1/login body. */
export type LoginRequest = Schemas["LoginRequest"];

/** GET /api/v1/tables: one org.medlake.lake.TableSummary. */
export type TableSummary = Schemas["TableSummary"];

/** org.medlake.core.contract.ColumnType. */
export type ColumnType = Schemas["ColumnType"];

/** org.medlake.core.contract.Column. */
export type Column = Schemas["Column"];

/** GET /api/v1/tables/{name}: org.medlake.core.contract.TableContract (record accessor names). */
export type TableContract = Schemas["TableContract"];

/** GET /api/v1/tables/{name}/partitions: one coverage cell. */
export type Partition = Schemas["Partition"];

/** org.medlake.query.predefined.QueryParameter. */
export type QueryParameter = Schemas["QueryParameter"];

/** GET /api/v1/queries: one predefined query. */
export type PredefinedQuerySummary = Schemas["PredefinedQuerySummary"];

/** GET /api/v1/tables/{name}/snapshots: one snapshot and the ingest run that made it. */
export type Snapshot = Omit<Schemas["Snapshot"], "snapshot_id"> & { snapshot_id: ExactId };

/** components.schemas.StructuredQuery (org.medlake.query.structured.StructuredQuery). */
export type StructuredQuery = Schemas["StructuredQuery"];

/** What to run: the three query endpoints take the same options (as_of, dry_run). */
export type QueryTarget =
  | { kind: "structured"; query: StructuredQuery }
  | { kind: "sql"; sql: string }
  | { kind: "predefined"; name: string; parameters: Record<string, string> };

/** A query result's column: the DuckDB type name (VARCHAR, BIGINT, DOUBLE, TIMESTAMP, ...). */
export type ResultColumn = Schemas["ResultColumn"];

export type Cell = Schemas["Cell"];

/** POST /api/v1/query, /sql, /queries/{name}/run: org.medlake.query.engine.QueryResult. */
export type QueryAnswer = Omit<Schemas["QueryAnswer"], "snapshot_ids"> & { snapshot_ids: Record<string, ExactId> };

/** The same endpoints with "dry_run": true: org.medlake.query.cost.Estimate. */
export type Estimate = Schemas["Estimate"];

export type ExportFormat = Schemas["ExportFormat"];

/** GET /api/v1/runs: org.medlake.core.ledger.IngestRun. */
export type IngestRun = Omit<Schemas["IngestRun"], "snapshot_id"> & { snapshot_id: ExactId | null };

/** GET /api/v1/deliveries/missing: a hospital without a succeeded run for a month. */
export type MissingDelivery = Schemas["MissingDelivery"];

/** GET /api/v1/runs/{id}/rejects. */
export type RejectedRow = Schemas["RejectedRow"];

/** GET /api/v1/runs/{id}/rejects-layout: the file's header, delimiter, quote and each field's column. */
export type RejectsLayout = Schemas["RejectsLayout"];

/** GET /api/v1/users: org.medlake.server.auth.User (record accessor names, upper-case role). */
export type User = Schemas["User"];

/** POST /api/v1/users body. */
export type NewUser = Schemas["NewUser"];

/** GET /api/v1/tokens: org.medlake.server.auth.ApiToken. */
export type ApiToken = Schemas["ApiToken"];

/** POST /api/v1/tokens: the token and its secret, shown once. */
export type IssuedToken = Schemas["IssuedToken"];

/** GET /api/v1/audit: org.medlake.server.audit.AuditEvent. */
export type AuditEvent = Schemas["AuditEvent"];

/** GET /api/v1/dashboards: one dashboard the caller may see. */
export type DashboardSummary = Schemas["DashboardSummary"];

/** GET /api/v1/dashboards/{id}: a dashboard's current (or one saved) version. */
export type Dashboard = Schemas["Dashboard"];

/** POST and PUT /api/v1/dashboards body. */
export type DashboardDraft = Schemas["DashboardDraft"];

/** One tile of a dashboard. */
export type DashboardTile = Schemas["DashboardTile"];

/** The filters every tile of a dashboard gets. */
export type DashboardFilters = Schemas["DashboardFilters"];

/** GET /api/v1/dashboards/{id}/versions: one entry of the edit history. */
export type DashboardVersion = Schemas["DashboardVersion"];

export type ChartType = Schemas["ChartType"];
