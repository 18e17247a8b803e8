import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestServer, sendJson } from '@/testing/test-server';
import { MeSchema } from '@/types/api';
import { apiGet, apiKey, ApiError, setApiBaseUrl } from './api-client';

describe('apiGet', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const seenKeys: (string | undefined)[] = [];

  beforeAll(async () => {
    server = await startTestServer((req, res) => {
      if (req.method === 'OPTIONS') return sendJson(res, 204, null);
      seenKeys.push(req.headers['x-api-key'] as string | undefined);
      if (req.url === '/api/me') return sendJson(res, 200, { name: 'ci', role: 'viewer' });
      if (req.url === '/api/odd') return sendJson(res, 200, { name: 'ci', role: 'superuser' });
      if (req.url === '/api/html') {
        res.writeHead(502, { 'Content-Type': 'text/html', 'Access-Control-Allow-Origin': '*' });
        return res.end('<html>bad gateway</html>');
      }
      sendJson(res, 404, { title: 'Not found', status: 404, detail: 'No API endpoint has this path.' }, 'application/problem+json');
    });
    setApiBaseUrl(server.url);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    apiKey.clear();
    seenKeys.length = 0;
  });

  it('sends the stored key and returns the checked body', async () => {
    apiKey.set('fl_secret');
    await expect(apiGet('/api/me', MeSchema)).resolves.toEqual({ name: 'ci', role: 'viewer' });
    expect(seenKeys).toEqual(['fl_secret']);
  });

  it('sends no key header when none is stored', async () => {
    await apiGet('/api/me', MeSchema);
    expect(seenKeys).toEqual([undefined]);
  });

  it('throws an ApiError carrying the ProblemDetails', async () => {
    const error = await apiGet('/api/nope', z.unknown()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).problem).toMatchObject({ status: 404, title: 'Not found' });
    expect((error as ApiError).message).toBe('Not found: No API endpoint has this path.');
  });

  it('throws with the HTTP status when the error body is not a problem', async () => {
    const error = await apiGet('/api/html', z.unknown()).catch((e: unknown) => e);
    expect((error as ApiError).problem.status).toBe(502);
  });

  it('rejects a body that does not match the schema', async () => {
    await expect(apiGet('/api/odd', MeSchema)).rejects.toThrow(/role/);
  });
});
