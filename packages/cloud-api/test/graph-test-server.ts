import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the fake Graph server saw it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export type Reply = (req: RecordedRequest, res: ServerResponse) => void;

/** Answers JSON with a status, as Meta does (errors included). */
export const json =
  (status: number, body: unknown): Reply =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

export const metaError = (status: number, error: Record<string, unknown>): Reply => json(status, { error });

/**
 * A throwaway HTTP server on 127.0.0.1:0 that records every request and answers with the next queued
 * reply. Tests assert on the recorded request, so the exact wire format is checked.
 */
export async function startGraphTestServer() {
  const requests: RecordedRequest[] = [];
  const replies: Reply[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(recorded);
      const reply = replies.shift();
      if (!reply) {
        res.writeHead(599).end('no reply queued');
        return;
      }
      reply(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    reply(...next: Reply[]) {
      replies.push(...next);
    },
    /** The only request recorded since the last call. */
    take(): RecordedRequest {
      const req = requests.shift();
      if (!req) throw new Error('no request recorded');
      return req;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
