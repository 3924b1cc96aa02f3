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
