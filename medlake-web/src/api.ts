import type {
  ApiToken,
  AuditEvent,
  Dashboard,
  DashboardDraft,
  DashboardFilters,
  DashboardSummary,
  DashboardVersion,
  ErrorBody,
  Estimate,
  ExportFormat,
  IngestRun,
  IssuedToken,
  LoginResponse,
  Me,
  MissingDelivery,
  NewUser,
  Partition,
  PredefinedQuerySummary,
  QueryAnswer,
  QueryTarget,
  RejectedRow,
  RejectsLayout,
  Snapshot,
  TableContract,
  TableSummary,
  User,
} from "./types";

/** The HTTP methods the client uses; state-changing ones carry the CSRF token. */
export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

const STATE_CHANGING: ReadonlySet<Method> = new Set<Method>(["POST", "PUT", "PATCH", "DELETE"]);

export const CSRF_HEADER = "X-CSRF-Token";

/** A failed request: {@link message} is the server's message, {@link code} its error code. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Every endpoint the client calls, as "METHOD path template"; types.test.ts checks them against the OpenAPI document. */
export const ENDPOINTS = {
  login: ["POST", "/api/v1/login"],
  logout: ["POST", "/api/v1/logout"],
  me: ["GET", "/api/v1/me"],
  tables: ["GET", "/api/v1/tables"],
  table: ["GET", "/api/v1/tables/{name}"],
  partitions: ["GET", "/api/v1/tables/{name}/partitions"],
  snapshots: ["GET", "/api/v1/tables/{name}/snapshots"],
  queries: ["GET", "/api/v1/queries"],
  runPredefined: ["POST", "/api/v1/queries/{name}/run"],
  query: ["POST", "/api/v1/query"],
  sql: ["POST", "/api/v1/sql"],
  exports: ["POST", "/api/v1/exports"],
  runs: ["GET", "/api/v1/runs"],
  run: ["GET", "/api/v1/runs/{id}"],
  rejects: ["GET", "/api/v1/runs/{id}/rejects"],
  rejectsReport: ["GET", "/api/v1/runs/{id}/rejects-report"],
  rejectsLayout: ["GET", "/api/v1/runs/{id}/rejects-layout"],
  approveRun: ["POST", "/api/v1/runs/{id}/approve"],
  missingDeliveries: ["GET", "/api/v1/deliveries/missing"],
  uploads: ["POST", "/api/v1/uploads"],
  users: ["GET", "/api/v1/users"],
  addUser: ["POST", "/api/v1/users"],
  disableUser: ["POST", "/api/v1/users/{name}/disable"],
  tokens: ["GET", "/api/v1/tokens"],
  createToken: ["POST", "/api/v1/tokens"],
  revokeToken: ["POST", "/api/v1/tokens/{id}/revoke"],
  audit: ["GET", "/api/v1/audit"],
  dashboards: ["GET", "/api/v1/dashboards"],
  createDashboard: ["POST", "/api/v1/dashboards"],
  dashboard: ["GET", "/api/v1/dashboards/{id}"],
  updateDashboard: ["PUT", "/api/v1/dashboards/{id}"],
  deleteDashboard: ["DELETE", "/api/v1/dashboards/{id}"],
  dashboardVersions: ["GET", "/api/v1/dashboards/{id}/versions"],
  dashboardVersion: ["GET", "/api/v1/dashboards/{id}/versions/{version}"],
  restoreDashboard: ["POST", "/api/v1/dashboards/{id}/versions/{version}/restore"],
  runTile: ["POST", "/api/v1/dashboards/{id}/tiles/{tile}/run"],
} as const satisfies Record<string, readonly [Method, string]>;

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

function isErrorBody(value: unknown): value is ErrorBody {
  return typeof value === "object" && value !== null && typeof (value as ErrorBody).message === "string";
}

/** The path of a template: each {placeholder} in turn takes the next of {@code names}, encoded. */
export function expand(template: string, name?: string | readonly string[]): string {
  if (name === undefined) {
    return template;
  }
  const names = typeof name === "string" ? [name] : name;
  let index = 0;
  return template.replace(/\{[a-z]+\}/g, (placeholder) => (index < names.length ? encodeURIComponent(names[index++]!) : placeholder));
}

/** A query string from the defined, non-empty values: {a: "1", b: undefined} -> "?a=1". */
export function queryString(values: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== "") {
      search.set(key, String(value));
    }
  }
  const text = search.toString();
  return text === "" ? "" : "?" + text;
}

/**
 * JSON.parse that keeps integers beyond 2^53 (Iceberg snapshot ids) exact, as strings, where the
 * browser passes the number's source text to the reviver (Chrome 114+, Firefox 135+).
 */
export function parseJson(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === "number" && !Number.isSafeInteger(value) && context?.source !== undefined && /^-?\d+$/.test(context.source)
      ? context.source
      : value,
  );
}

/** The body of a query request, an estimate request or an export: which query, and when. */
function queryBody(target: QueryTarget, extra: Record<string, unknown>): Record<string, unknown> {
  switch (target.kind) {
    case "structured":
      return { query: target.query, ...extra };
    case "sql":
      return { sql: target.sql, ...extra };
    case "predefined":
      return { parameters: target.parameters, ...extra };
  }
}

/** A download: the file's bytes, the name the server suggests, and the row cap for the caller's role. */
export interface Download {
  blob: Blob;
  filename: string;
  rowCap: number | null;
}

/**
 * The typed client of the medlake JSON API. The session is the server's HttpOnly cookie; the
 * CSRF token from the login answer is kept in memory only and sent on every state-changing request.
 */
export class ApiClient {
  private csrfToken: string | null = null;
  private readonly fetcher: FetchLike;
  private readonly baseUrl: string;

  constructor(fetcher: FetchLike = (input, init) => globalThis.fetch(input, init), baseUrl = "", csrfToken: string | null = null) {
    this.fetcher = fetcher;
    this.baseUrl = baseUrl;
    this.csrfToken = csrfToken;
  }

  /** Whether a CSRF token is held (a login happened in this tab). */
  hasCsrfToken(): boolean {
    return this.csrfToken !== null;
  }

  /** The CSRF token of the session, to keep across reloads and tabs. */
  csrf(): string | null {
    return this.csrfToken;
  }

  /** Takes the CSRF token of a session started elsewhere (another tab of this browser), or forgets it (null). */
  useCsrf(token: string | null): void {
    this.csrfToken = token === "" ? null : token;
  }

  async login(name: string, password: string): Promise<LoginResponse> {
    const answer = await this.request<LoginResponse>(ENDPOINTS.login, undefined, { name, password });
    this.csrfToken = answer.csrf_token;
    return answer;
  }

  async logout(): Promise<void> {
    try {
      await this.request<void>(ENDPOINTS.logout);
    } finally {
      this.csrfToken = null;
    }
  }

  me(): Promise<Me> {
    return this.request<Me>(ENDPOINTS.me);
  }

  tables(): Promise<TableSummary[]> {
    return this.request<TableSummary[]>(ENDPOINTS.tables);
  }

  table(name: string): Promise<TableContract> {
    return this.request<TableContract>(ENDPOINTS.table, name);
  }

  partitions(name: string): Promise<Partition[]> {
    return this.request<Partition[]>(ENDPOINTS.partitions, name);
  }

  snapshots(name: string): Promise<Snapshot[]> {
    return this.request<Snapshot[]>(ENDPOINTS.snapshots, name);
  }

  queries(): Promise<PredefinedQuerySummary[]> {
    return this.request<PredefinedQuerySummary[]>(ENDPOINTS.queries);
  }

  /** Runs a query: a structured query, one SQL statement, or a predefined query with parameters. */
  run(target: QueryTarget): Promise<QueryAnswer> {
    return this.request<QueryAnswer>(
      this.queryEndpoint(target),
      target.kind === "predefined" ? target.name : undefined,
      queryBody(target, {}),
    );
  }

  /** The pre-flight estimate of a query: files and bytes to scan, price, full-scan flag, budget. */
  estimate(target: QueryTarget): Promise<Estimate> {
    return this.request<Estimate>(
      this.queryEndpoint(target),
      target.kind === "predefined" ? target.name : undefined,
      queryBody(target, { dry_run: true }),
    );
  }

  /** A query's full result as a file. */
  async download(target: QueryTarget, format: ExportFormat): Promise<Download> {
    const body =
      target.kind === "predefined" ? { predefined: target.name, parameters: target.parameters, format } : queryBody(target, { format });
    const response = await this.send(ENDPOINTS.exports, undefined, JSON.stringify(body), "application/json");
    const disposition = response.headers.get("Content-Disposition") ?? "";
    const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? `medlake-export.${format}`;
    const cap = response.headers.get("X-Row-Cap");
    return { blob: await response.blob(), filename, rowCap: cap === null ? null : Number(cap) };
  }

  runs(): Promise<IngestRun[]> {
    return this.request<IngestRun[]>(ENDPOINTS.runs);
  }

  ingestRun(id: string): Promise<IngestRun> {
    return this.request<IngestRun>(ENDPOINTS.run, id);
  }

  /** Commits a held run's file as it is (admins); the answer is the new run. */
  approveRun(id: string): Promise<IngestRun> {
    return this.request<IngestRun>(ENDPOINTS.approveRun, id);
  }

  rejects(id: string, limit: number): Promise<RejectedRow[]> {
    return this.request<RejectedRow[]>(ENDPOINTS.rejects, id, undefined, queryString({ limit }));
  }

  /** How the run's file lays out its rows: header, delimiter, quote and the column of each field. */
  rejectsLayout(id: string): Promise<RejectsLayout> {
    return this.request<RejectsLayout>(ENDPOINTS.rejectsLayout, id);
  }

  /** The URL of a run's rejects report (every rejected row as CSV), for a plain link: the session cookie authorizes it. */
  rejectsReportUrl(id: string): string {
    return this.baseUrl + expand(ENDPOINTS.rejectsReport[1], id) + queryString({ format: "csv" });
  }

  /** Hospitals without a succeeded run for a month (default: last month); an uploader gets its own hospital only. */
  missingDeliveries(month?: string): Promise<MissingDelivery[]> {
    return this.request<MissingDelivery[]>(ENDPOINTS.missingDeliveries, undefined, undefined, queryString({ month }));
  }

  users(): Promise<User[]> {
    return this.request<User[]>(ENDPOINTS.users);
  }

  addUser(user: NewUser): Promise<User> {
    return this.request<User>(ENDPOINTS.addUser, undefined, user);
  }

  disableUser(name: string): Promise<void> {
    return this.request<void>(ENDPOINTS.disableUser, name);
  }

  tokens(user?: string): Promise<ApiToken[]> {
    return this.request<ApiToken[]>(ENDPOINTS.tokens, undefined, undefined, queryString({ user }));
  }

  createToken(user: string, description: string, days: number): Promise<IssuedToken> {
    return this.request<IssuedToken>(ENDPOINTS.createToken, undefined, { user, description, days });
  }

  revokeToken(id: string): Promise<void> {
    return this.request<void>(ENDPOINTS.revokeToken, id);
  }

  audit(filters: { actor?: string; action?: string; outcome?: string; from?: string; to?: string; limit?: number }): Promise<AuditEvent[]> {
    return this.request<AuditEvent[]>(ENDPOINTS.audit, undefined, undefined, queryString(filters));
  }

  dashboards(): Promise<DashboardSummary[]> {
    return this.request<DashboardSummary[]>(ENDPOINTS.dashboards);
  }

  dashboard(id: number): Promise<Dashboard> {
    return this.request<Dashboard>(ENDPOINTS.dashboard, String(id));
  }

  /** Saves a new dashboard (version 1), owned by the caller. */
  createDashboard(draft: DashboardDraft): Promise<Dashboard> {
    const body: Partial<DashboardDraft> = { ...draft };
    delete body.base_version;
    return this.request<Dashboard>(ENDPOINTS.createDashboard, undefined, body);
  }

  /** Saves a new version; the draft's base_version must be the current one, else a 409 ApiError. */
  updateDashboard(id: number, draft: DashboardDraft): Promise<Dashboard> {
    return this.request<Dashboard>(ENDPOINTS.updateDashboard, String(id), draft);
  }

  deleteDashboard(id: number): Promise<void> {
    return this.request<void>(ENDPOINTS.deleteDashboard, String(id));
  }

  dashboardVersions(id: number): Promise<DashboardVersion[]> {
    return this.request<DashboardVersion[]>(ENDPOINTS.dashboardVersions, String(id));
  }

  dashboardVersion(id: number, version: number): Promise<Dashboard> {
    return this.request<Dashboard>(ENDPOINTS.dashboardVersion, [String(id), String(version)]);
  }

  /** Saves an old version again as the newest. */
  restoreDashboard(id: number, version: number): Promise<Dashboard> {
    return this.request<Dashboard>(ENDPOINTS.restoreDashboard, [String(id), String(version)]);
  }

  /** Runs one tile with {@code filters} (the dashboard's own when omitted) through the server's query checks. */
  runTile(id: number, tile: string, filters?: DashboardFilters): Promise<QueryAnswer> {
    return this.request<QueryAnswer>(ENDPOINTS.runTile, [String(id), tile], filters === undefined ? {} : { filters });
  }

  /** The URL and headers of an upload, for an XMLHttpRequest that reports upload progress. */
  uploadRequest(month: string, hospital?: string): { url: string; headers: Record<string, string> } {
    const headers: Record<string, string> = { Accept: "application/json", "Content-Type": "application/octet-stream" };
    if (this.csrfToken !== null) {
      headers[CSRF_HEADER] = this.csrfToken;
    }
    return { url: this.baseUrl + ENDPOINTS.uploads[1] + queryString({ month, hospital }), headers };
  }

  private queryEndpoint(target: QueryTarget): readonly [Method, string] {
    switch (target.kind) {
      case "structured":
        return ENDPOINTS.query;
      case "sql":
        return ENDPOINTS.sql;
      case "predefined":
        return ENDPOINTS.runPredefined;
    }
  }

  private async request<T>(
    endpoint: readonly [Method, string],
    name?: string | readonly string[],
    body?: unknown,
    search = "",
  ): Promise<T> {
    const response = await this.send(endpoint, name, body === undefined ? undefined : JSON.stringify(body), "application/json", search);
    const text = await response.text();
    if (text.length === 0) {
      return undefined as T;
    }
    try {
      return parseJson(text) as T;
    } catch {
      throw new ApiError(response.status, "BAD_RESPONSE", "The server's answer is not JSON");
    }
  }

  /** Sends a request; an answer that is not 2xx becomes an {@link ApiError} with the server's message. */
  private async send(
    endpoint: readonly [Method, string],
    name: string | readonly string[] | undefined,
    body: string | undefined,
    contentType: string,
    search = "",
  ): Promise<Response> {
    const [method, template] = endpoint;
    const headers: Record<string, string> = { Accept: "application/json" };
    if (body !== undefined) {
      headers["Content-Type"] = contentType;
    }
    if (STATE_CHANGING.has(method) && this.csrfToken !== null) {
      headers[CSRF_HEADER] = this.csrfToken;
    }
    const init: RequestInit = { method, headers, credentials: "same-origin" };
    if (body !== undefined) {
      init.body = body;
    }
    let response: Response;
    try {
      response = await this.fetcher(this.baseUrl + expand(template, name) + search, init);
    } catch (cause) {
      throw new ApiError(0, "NETWORK_ERROR", "The server cannot be reached" + (cause instanceof Error ? ": " + cause.message : ""));
    }
    if (!response.ok) {
      throw await errorOf(response);
    }
    return response;
  }
}

/**
 * The session's CSRF token, shared by the tabs of this browser as the session cookie is: kept in
 * localStorage under {@link SharedSession.KEY}, so a new tab (a shared query link) opens logged in,
 * and a login or logout in one tab reaches the others through the "storage" event. Only this origin's
 * scripts can read it (the Content-Security-Policy limits them to the app's own files), and it is of
 * no use without the HttpOnly cookie.
 */
export class SharedSession {
  static readonly KEY = "medlake.csrf";
  private readonly storage: Pick<Storage, "getItem" | "setItem" | "removeItem">;

  constructor(storage: Pick<Storage, "getItem" | "setItem" | "removeItem">) {
    this.storage = storage;
  }

  /** The token a login in any tab saved, or null. */
  token(): string | null {
    const token = this.storage.getItem(SharedSession.KEY);
    return token === null || token === "" ? null : token;
  }

  save(token: string | null): void {
    if (token === null || token === "") {
      this.clear();
    } else {
      this.storage.setItem(SharedSession.KEY, token);
    }
  }

  clear(): void {
    this.storage.removeItem(SharedSession.KEY);
  }

  /** Calls {@code listener} with the new token (null: logged out) when another tab logs in or out. */
  onChange(target: EventTarget, listener: (token: string | null) => void): void {
    target.addEventListener("storage", (event) => {
      const change = event as StorageEvent;
      if (change.key === SharedSession.KEY || change.key === null) {
        listener(change.newValue === null || change.newValue === "" || change.key === null ? null : change.newValue);
      }
    });
  }
}

/** The ApiError of a failed answer: the server's error body, or its status when the body is not one. */
export async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (isErrorBody(parsed)) {
    return new ApiError(response.status, parsed.code ?? "ERROR", parsed.message, parsed.details ?? {});
  }
  return new ApiError(
    response.status,
    "HTTP_" + response.status,
    `The server answered ${response.status}${response.statusText ? " " + response.statusText : ""}`,
  );
}
