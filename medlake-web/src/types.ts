/**
 * The JSON the medlake server answers, field for field. The OpenAPI document
 * (medlake-server/src/main/resources/org/medlake/server/openapi.json) names the
 * endpoints; the field names come from the Java records the server serializes.
 */

/** Role keys: {@code Role.key()} in medlake-core. */
export type Role = "admin" | "analyst" | "viewer" | "uploader";

/** components.schemas.Error: every error answer. */
export interface ErrorBody {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

/** GET /api/v1/me (MedlakeServer.Routes.me). */
export interface Me {
  name: string;
  role: Role;
  /** Only uploaders belong to one hospital. */
  hospital_id: string | null;
}

/** POST /api/v1/login: the user plus the CSRF token for state-changing requests. */
export interface LoginResponse extends Me {
  csrf_token: string;
}

/** POST /api/v1/login body. */
export interface LoginRequest {
  name: string;
  password: string;
}

/** GET /api/v1/tables: one org.medlake.lake.TableSummary. */
export interface TableSummary {
  name: string;
  description: string;
  rows: number;
  data_files: number;
  bytes_on_disk: number;
  partitions: number;
  snapshots: number;
  current_snapshot_id: number | null;
}

/** org.medlake.core.contract.ColumnType. */
export type ColumnType = "STRING" | "DOUBLE" | "INT" | "LONG" | "TIMESTAMP" | "STRING_LIST";

/** org.medlake.core.contract.Column. */
export interface Column {
  id: number;
  name: string;
  type: ColumnType;
  required: boolean;
  description: string;
}

/** GET /api/v1/tables/{name}: org.medlake.core.contract.TableContract (record accessor names). */
export interface TableContract {
  name: string;
  description: string;
  columns: Column[];
  monthPartitionColumn: string;
  identityPartitionColumn: string;
  sortColumns: string[];
}

/** GET /api/v1/tables/{name}/partitions: one CatalogService.Partition (a coverage cell). */
export interface Partition {
  hospital_id: string;
  /** YYYY-MM */
  month: string;
  rows: number;
  files: number;
  bytes: number;
}

/** org.medlake.query.predefined.QueryParameter. */
export interface QueryParameter {
  name: string;
  type: "string" | "string-list" | "int" | "double" | "date";
  description: string;
  default: string | null;
  min: string | null;
  max: string | null;
}

/** GET /api/v1/queries: one predefined query (MedlakeServer.Routes.describe). */
export interface PredefinedQuerySummary {
  name: string;
  title: string;
  description: string;
  parameters: QueryParameter[];
}

/** GET /api/v1/tables/{name}/snapshots: one snapshot and the ingest run that made it. */
export interface Snapshot {
  /** Iceberg snapshot ids exceed 2^53: kept exact as a string by parseJson. */
  snapshot_id: number | string;
  committed_at: string;
  operation: string;
  run_id: string | null;
  hospital_month: string | null;
  added_rows: number;
  deleted_rows: number;
  total_rows: number;
}

/** components.schemas.StructuredQuery (org.medlake.query.structured.StructuredQuery). */
export interface StructuredQuery {
  table: string;
  filters?: { column: string; op: string; values?: (string | number)[] }[];
  group_by?: { column: string; bucket?: "month" | "year" | "age_band" }[];
  aggregates?: { function: string; column?: string; percentile?: number }[];
  columns?: string[];
  order_by?: { column: string; direction: "asc" | "desc" }[];
  limit: number;
}

/** What to run: the three query endpoints take the same options (as_of, dry_run). */
export type QueryTarget =
  | { kind: "structured"; query: StructuredQuery }
  | { kind: "sql"; sql: string }
  | { kind: "predefined"; name: string; parameters: Record<string, string> };

/** A query result's column: the DuckDB type name (VARCHAR, BIGINT, DOUBLE, TIMESTAMP, ...). */
export interface ResultColumn {
  name: string;
  type: string;
}

export type Cell = string | number | boolean | null;

/** POST /api/v1/query, /sql, /queries/{name}/run: org.medlake.query.engine.QueryResult. */
export interface QueryAnswer {
  result: { columns: ResultColumn[]; rows: Cell[][] };
  files_scanned: number;
  bytes_scanned: number;
  snapshot_ids: Record<string, number | string>;
  elapsed_ms: number;
  cached: boolean;
  /** Cells withheld by small-cell suppression (viewers); they arrive as null. */
  suppressed_cells: number;
}

/** The same endpoints with "dry_run": true: org.medlake.query.cost.Estimate. */
export interface Estimate {
  files: number;
  total_files: number;
  bytes: number;
  projected_bytes: number;
  price_usd: number;
  full_scan: boolean;
  budget_bytes: number;
}

export type ExportFormat = "csv" | "json" | "parquet";

/** GET /api/v1/runs: org.medlake.ingest.run.IngestRun. */
export interface IngestRun {
  id: string;
  source_file: string;
  source_id: string;
  sha256: string;
  hospital_id: string;
  month: string;
  /** QUEUED: an upload waiting on the server's ingestion queue. HELD: nothing was committed because the run would have shrunk or wiped stored data; the message says why. */
  status: "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "DUPLICATE" | "HELD" | string;
  started_at: string;
  rows_read: number;
  rows_accepted: number;
  rows_rejected: number;
  rows_filtered: number;
  rejected_by_reason: Record<string, number>;
  bytes_in: number;
  bytes_out: number;
  duration_ms: number;
  snapshot_id: number | string | null;
  message: string;
  /** Rows stored with a flag, by flag code (UNMAPPED_CODE, UNIT_NOT_CONVERTED, ...). */
  flagged_by_reason: Record<string, number>;
  /** Local codes without a standard code, with their row counts, most first (at most 20). */
  unmapped_codes: Record<string, number>;
  mapping_sha256: string;
  /** For a held run: the run that approved, re-ran or replaced it; null while it is held. */
  superseded_by: string | null;
}

/** GET /api/v1/deliveries/missing: a hospital without a succeeded run for a month. */
export interface MissingDelivery {
  source_id: string;
  hospital_id: string;
  month: string;
}

/** GET /api/v1/runs/{id}/rejects. */
export interface RejectedRow {
  line_number: number;
  reason_codes: string[];
  raw_line: string;
}

/** GET /api/v1/users: org.medlake.server.auth.User (record accessor names, upper-case role). */
export interface User {
  name: string;
  role: string;
  hospitalId: string | null;
  enabled: boolean;
  createdAt: string;
}

/** POST /api/v1/users body. */
export interface NewUser {
  name: string;
  role: Role;
  hospital_id?: string;
  password: string;
}

/** GET /api/v1/tokens: org.medlake.server.auth.ApiToken. */
export interface ApiToken {
  id: string;
  user: string;
  description: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

/** POST /api/v1/tokens: the token and its secret, shown once. */
export interface IssuedToken {
  token: ApiToken;
  secret: string;
}

/** GET /api/v1/audit: org.medlake.server.audit.AuditEvent. */
export interface AuditEvent {
  id: number;
  at: string;
  actor: string | null;
  role: string | null;
  clientIp: string;
  action: string;
  target: string | null;
  outcome: string;
  details: Record<string, unknown>;
}
