import type {
  ErrorBody,
  LoginResponse,
  Me,
  Partition,
  PredefinedQuerySummary,
  TableContract,
  TableSummary,
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
  queries: ["GET", "/api/v1/queries"],
} as const satisfies Record<string, readonly [Method, string]>;

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

function isErrorBody(value: unknown): value is ErrorBody {
  return typeof value === "object" && value !== null && typeof (value as ErrorBody).message === "string";
}

function expand(template: string, name?: string): string {
  return name === undefined ? template : template.replace("{name}", encodeURIComponent(name));
}

/**
 * The typed client of the medlake JSON API. The session is the server's HttpOnly cookie; the
 * CSRF token from the login answer is kept in memory only and sent on every state-changing request.
 */
export class ApiClient {
  private csrfToken: string | null = null;
  private readonly fetcher: FetchLike;
  private readonly baseUrl: string;

  constructor(fetcher: FetchLike = (input, init) => globalThis.fetch(input, init), baseUrl = "") {
    this.fetcher = fetcher;
    this.baseUrl = baseUrl;
  }

  /** Whether a CSRF token is held (a login happened in this page). */
  hasCsrfToken(): boolean {
    return this.csrfToken !== null;
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

  queries(): Promise<PredefinedQuerySummary[]> {
    return this.request<PredefinedQuerySummary[]>(ENDPOINTS.queries);
  }

  private async request<T>(endpoint: readonly [Method, string], name?: string, body?: unknown): Promise<T> {
    const [method, template] = endpoint;
    const headers: Record<string, string> = { Accept: "application/json" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
    }
    if (STATE_CHANGING.has(method) && this.csrfToken !== null) {
      headers[CSRF_HEADER] = this.csrfToken;
    }
    const init: RequestInit = { method, headers, credentials: "same-origin" };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
    }
    let response: Response;
    try {
      response = await this.fetcher(this.baseUrl + expand(template, name), init);
    } catch (cause) {
      throw new ApiError(0, "NETWORK_ERROR", "The server cannot be reached" + (cause instanceof Error ? ": " + cause.message : ""));
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    if (!response.ok) {
      if (isErrorBody(parsed)) {
        throw new ApiError(response.status, parsed.code ?? "ERROR", parsed.message, parsed.details ?? {});
      }
      throw new ApiError(response.status, "HTTP_" + response.status, `The server answered ${response.status}${response.statusText ? " " + response.statusText : ""}`);
    }
    if (text.length > 0 && parsed === undefined) {
      throw new ApiError(response.status, "BAD_RESPONSE", "The server's answer is not JSON");
    }
    return parsed as T;
  }
}
