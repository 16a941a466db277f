import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useStandInAwsCredentials } from './secrets-manager-stand-in.js';

/**
 * A local stand-in for the S3 REST API, path-style (`/<bucket>/<key>`), enough for the media store and
 * the real SDK: PutObject, GetObject and DeleteObject, with S3's XML error bodies (NoSuchKey,
 * NoSuchBucket, AccessDenied). Signatures are not verified (tests use dummy keys), but a request must
 * carry a SigV4 Authorization header.
 */
export class S3StandIn {
  /** Objects by `<bucket>/<key>`. */
  readonly objects = new Map<string, Buffer>();
  readonly requests: { method: string; path: string }[] = [];
  private readonly server = createServer((request, response) => {
    void this.handle(request, response);
  });

  constructor(private readonly buckets: readonly string[]) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://s3').pathname);
    this.requests.push({ method: request.method ?? '', path });
    const fail = (status: number, code: string, message: string) => {
      response.writeHead(status, { 'content-type': 'application/xml' });
      response.end(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
      );
    };
    if (!String(request.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
      return fail(403, 'AccessDenied', 'Access Denied');
    }
    const [, bucket = '', ...rest] = path.split('/');
    const key = rest.join('/');
    if (!this.buckets.includes(bucket))
      return fail(404, 'NoSuchBucket', 'The specified bucket does not exist');
    const id = `${bucket}/${key}`;
    switch (request.method) {
      case 'PUT':
        this.objects.set(id, Buffer.concat(chunks));
        response.writeHead(200, { etag: '"stand-in"' });
        return void response.end();
      case 'GET': {
        const body = this.objects.get(id);
        if (!body) return fail(404, 'NoSuchKey', 'The specified key does not exist.');
        response.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': body.length,
        });
        return void response.end(body);
      }
      case 'DELETE':
        this.objects.delete(id);
        response.writeHead(204);
        return void response.end();
      default:
        return fail(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
    }
  }
}

export async function startS3StandIn(buckets: readonly string[]): Promise<S3StandIn> {
  useStandInAwsCredentials();
  return new S3StandIn(buckets).start();
}
