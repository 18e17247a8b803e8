import type { z } from 'zod';
import { env } from '@/config/env';
import { CsrfTokenSchema, ProblemSchema, type Problem } from '@/types/api';

/** An API answer that was not 2xx, with the ProblemDetails the API sent. */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.name = 'ApiError';
  }

  get status() {
    return this.problem.status;
  }
}

let baseUrl = env.API_BASE_URL;

/** Points the client at another FlowLens (tests, or a dashboard served apart from the API). */
export const setApiBaseUrl = (url: string) => {
  baseUrl = url;
};

/** The full address of an API path, for links the browser follows itself (CSV export, single sign-on). */
export const apiUrl = (path: string) => baseUrl + path;

// The sign-in cookie authenticates the dashboard; requests that change something also carry the CSRF token.
let csrfToken: Promise<{ token: string; headerName: string }> | null = null;

/** Forgets the CSRF token: it belongs to the person signed in, so it changes at sign-in and sign-out. */
export const resetCsrfToken = () => {
  csrfToken = null;
};

async function send(method: string, path: string, body?: unknown, text?: string): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (text !== undefined) headers['Content-Type'] = 'text/plain; charset=utf-8';
  if (method !== 'GET' && !path.startsWith('/api/auth/sign-in')) {
    csrfToken ??= apiGet('/api/auth/csrf', CsrfTokenSchema).catch((error: unknown) => {
      csrfToken = null;
      throw error;
    });
    const csrf = await csrfToken;
    headers[csrf.headerName] = csrf.token;
  }
  return fetch(baseUrl + path, {
    method,
    headers,
    credentials: 'include',
    body: text ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
}

async function read<T>(response: Response, schema: z.ZodType<T> | null): Promise<T> {
  const body: unknown = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const problem = ProblemSchema.safeParse(body);
    throw new ApiError(
      problem.success ? problem.data : { title: response.statusText || 'Request failed', status: response.status },
    );
  }
  return schema ? schema.parse(body) : (undefined as T);
}

/** GETs a path of the API and checks the answer against a schema. */
export async function apiGet<T>(path: string, schema: z.ZodType<T>): Promise<T> {
  return read(await send('GET', path), schema);
}

/** POSTs, PUTs, PATCHes or DELETEs; the answer is checked against the schema, or ignored without one. */
export async function apiSend<T = void>(
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
  schema: z.ZodType<T> | null = null,
): Promise<T> {
  return read(await send(method, path, body), schema);
}

/** POSTs a text body (a file's content) as text/plain; the answer is checked against the schema. */
export async function apiSendText<T>(path: string, text: string, schema: z.ZodType<T>): Promise<T> {
  return read(await send('POST', path, undefined, text), schema);
}

/** A query string from parameters, leaving out the empty ones. */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
