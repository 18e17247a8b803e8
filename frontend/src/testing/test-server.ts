import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A real HTTP server on a free loopback port, for tests of code that calls the API. */
export async function startTestServer(handler: Handler) {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, type = 'application/json') {
  res.writeHead(status, { 'Content-Type': type, 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': '*' });
  res.end(JSON.stringify(body));
}

/** Answers like FlowLens's API-key check: admin for `goodKey`, a 401 ProblemDetails otherwise. */
export const fakeMeHandler =
  (goodKey: string): Handler =>
  (req, res) => {
    if (req.method === 'OPTIONS') return sendJson(res, 204, null);
    if (req.url === '/api/me' && req.headers['x-api-key'] === goodKey) {
      return sendJson(res, 200, { name: 'bootstrap', role: 'admin' });
    }
    if (req.url === '/api/health') return sendJson(res, 200, { status: 'healthy', database: 'up' });
    sendJson(res, 401, { title: 'Unauthorized', status: 401, detail: 'The API key is not valid.', traceId: '00-1' }, 'application/problem+json');
  };
