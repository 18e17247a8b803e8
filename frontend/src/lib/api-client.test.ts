import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestServer, sendJson } from '@/testing/test-server';
import { MeSchema } from '@/types/api';
import { apiGet, apiSend, ApiError, query, resetCsrfToken, setApiBaseUrl } from './api-client';

describe('api client', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const seen: { method?: string; url?: string; csrf?: string; body: string }[] = [];

  beforeAll(async () => {
    let tokens = 0;
    server = await startTestServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, csrf: req.headers['x-csrf-token'] as string | undefined, body });
        if (req.url === '/api/auth/csrf')
          return sendJson(res, 200, { token: `t${++tokens}`, headerName: 'X-CSRF-TOKEN' });
        if (req.url === '/api/me')
          return sendJson(res, 200, { name: 'ci', role: 'viewer', scope: { accounts: [], vpcs: [] } });
        if (req.url === '/api/odd') return sendJson(res, 200, { name: 'ci', role: 'superuser' });
        if (req.url === '/api/sources/1/sync') return sendJson(res, 202, { message: 'queued', objects: 0 });
        if (req.url === '/api/html') {
          res.writeHead(502, { 'Content-Type': 'text/html' });
          return res.end('<html>bad gateway</html>');
        }
        sendJson(
          res,
          404,
          { title: 'Not found', status: 404, detail: 'No API endpoint has this path.' },
          'application/problem+json',
        );
      });
    });
    setApiBaseUrl(server.url);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    resetCsrfToken();
    seen.length = 0;
  });

  it('returns the checked body of a GET, without a CSRF token', async () => {
    await expect(apiGet('/api/me', MeSchema)).resolves.toEqual({
      name: 'ci',
      role: 'viewer',
      scope: { accounts: [], vpcs: [] },
    });
    expect(seen).toEqual([{ method: 'GET', url: '/api/me', csrf: undefined, body: '' }]);
  });

  it('fetches the CSRF token once and sends it with every change', async () => {
    await apiSend('POST', '/api/sources/1/sync', { why: 'test' });
    await apiSend('POST', '/api/sources/1/sync');
    expect(seen.map((r) => [r.method, r.url, r.csrf])).toEqual([
      ['GET', '/api/auth/csrf', undefined],
      ['POST', '/api/sources/1/sync', 't1'],
      ['POST', '/api/sources/1/sync', 't1'],
    ]);
    expect(seen[1].body).toBe('{"why":"test"}');

    resetCsrfToken();
    await apiSend('POST', '/api/sources/1/sync');
    expect(seen.at(-1)!.csrf).toBe('t2');
  });

  it('throws an ApiError carrying the ProblemDetails', async () => {
    const error = await apiGet('/api/nope', z.unknown()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).problem).toMatchObject({ status: 404, title: 'Not found' });
    expect((error as ApiError).message).toBe('Not found: No API endpoint has this path.');
  });

  it('throws with the HTTP status when the error body is not a problem', async () => {
    const error = await apiGet('/api/html', z.unknown()).catch((e: unknown) => e);
    expect((error as ApiError).status).toBe(502);
  });

  it('rejects a body that does not match the schema', async () => {
    await expect(apiGet('/api/odd', MeSchema)).rejects.toThrow(/role/);
  });

  it('builds query strings without the empty parameters', () => {
    expect(query({ from: 'now-1h', q: '', limit: 10, cursor: null, x: undefined })).toBe('?from=now-1h&limit=10');
    expect(query({ q: 'dstport = 22 and action = REJECT' })).toBe('?q=dstport+%3D+22+and+action+%3D+REJECT');
    expect(query({})).toBe('');
  });
});
