import type { z } from 'zod';
import { env } from '@/config/env';
import { ProblemSchema, type Problem } from '@/types/api';

const keyStorage = 'flowlens.apiKey';

/** The API key of this browser tab (sessionStorage: gone when the tab closes). */
export const apiKey = {
  get: (): string | null => sessionStorage.getItem(keyStorage),
  set: (key: string) => sessionStorage.setItem(keyStorage, key),
  clear: () => sessionStorage.removeItem(keyStorage),
};

/** An API answer that was not 2xx, with the ProblemDetails the API sent. */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.name = 'ApiError';
  }
}

let baseUrl = env.API_BASE_URL;

/** Points the client at another FlowLens (tests, or a dashboard served apart from the API). */
export const setApiBaseUrl = (url: string) => {
  baseUrl = url;
};

/** GETs a path of the API and checks the answer against a schema. */
export async function apiGet<T>(path: string, schema: z.ZodType<T>): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const key = apiKey.get();
  if (key) headers['X-Api-Key'] = key;

  const response = await fetch(baseUrl + path, { headers });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const problem = ProblemSchema.safeParse(body);
    throw new ApiError(
      problem.success ? problem.data : { title: response.statusText || 'Request failed', status: response.status },
    );
  }
  return schema.parse(body);
}
