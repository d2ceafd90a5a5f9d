// The one place that talks HTTP: a bearer token, JSON in and out, and the API's problem
// details turned into an ApiError whose message is the server's own reason.
import type { paths } from './schema';

const TOKEN_KEY = 'argus.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let onUnauthorized: () => void = () => {};

/** Called when the API answers 401: the session has expired or was revoked. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export function getToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

type Path = keyof paths;

/** A path of the schema with its `{name}` parts filled in; an unknown path fails to compile. */
export function url(
  template: Path,
  params: Record<string, string> = {},
  query?: URLSearchParams,
): string {
  const filled = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`Missing path parameter ${name}`);
    return encodeURIComponent(value);
  });
  const search = query?.toString();
  return search ? `${filled}?${search}` : filled;
}

export async function request<T>(method: string, target: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(target, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401 && token) onUnauthorized();
  if (!response.ok) throw await problem(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

async function problem(response: Response): Promise<ApiError> {
  let title = response.statusText || 'Request failed';
  let detail = `The server answered ${response.status}.`;
  try {
    const body = (await response.json()) as { title?: string; detail?: unknown };
    if (body.title) title = body.title;
    if (typeof body.detail === 'string' && body.detail) detail = body.detail;
    else if (body.detail) detail = JSON.stringify(body.detail);
  } catch {
    // Not JSON (a proxy's error page): keep the status line.
  }
  return new ApiError(response.status, title, detail);
}
