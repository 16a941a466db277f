import { type IncomingMessage, request } from 'node:http';

/**
 * A small Server-Sent Events client for tests, over node:http so a test can stop reading (pause) like a
 * slow browser. Parses frames as the EventSource specification does: `id:` alone moves the cursor,
 * `:` lines are comments, a blank line dispatches.
 */
export interface Frame {
  id: string | undefined;
  event: string;
  data: Record<string, unknown>;
}

export interface SseStream {
  status: number;
  /** The body of a refused request (an error reply), '' for a stream. */
  body: string;
  /** What EventSource would send as Last-Event-ID on its next connection. */
  lastEventId: string | undefined;
  /** Every event received so far, in order. */
  frames: Frame[];
  comments: string[];
  /** Waits for the next event (after those already taken) that matches; returns the events skipped too. */
  until(match: (frame: Frame) => boolean, timeoutMs?: number): Promise<{ frame: Frame; skipped: Frame[] }>;
  next(match: (frame: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  pause(): void;
  resume(): void;
  close(): void;
}

export function openStream(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      if (res.statusCode !== 200) {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve(refused(res, body)));
        return;
      }
      resolve(streamOf(res, () => req.destroy()));
    });
    req.on('error', reject);
    req.end();
  });
}

function refused(res: IncomingMessage, body: string): SseStream {
  const fail = () => Promise.reject(new Error(`stream refused: ${res.statusCode} ${body}`));
  return {
    status: res.statusCode ?? 0,
    body,
    lastEventId: undefined,
    frames: [],
    comments: [],
    until: fail,
    next: fail,
    ended: Promise.resolve(),
    pause() {},
    resume() {},
    close() {},
  };
}

function streamOf(res: IncomingMessage, destroy: () => void): SseStream {
  const frames: Frame[] = [];
  const comments: string[] = [];
  let taken = 0;
  let waiters: (() => void)[] = [];
  let ended = false;
  const notify = () => {
    const current = waiters;
    waiters = [];
    for (const wake of current) wake();
  };

  let buffer = '';
  let id: string | undefined;
  let event = '';
  let data: string[] = [];
  const stream: SseStream = {
    status: 200,
    body: '',
    lastEventId: undefined,
    frames,
    comments,
    async until(match, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      const skipped: Frame[] = [];
      for (;;) {
        while (taken < frames.length) {
          const frame = frames[taken++] as Frame;
          if (match(frame)) return { frame, skipped };
          skipped.push(frame);
        }
        if (ended) throw new Error(`stream ended; events: ${JSON.stringify(frames)}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no matching event; received: ${JSON.stringify(frames.slice(-20))}`);
        await new Promise<void>((wake) => {
          const timer = setTimeout(wake, left);
          waiters.push(() => {
            clearTimeout(timer);
            wake();
          });
        });
      }
    },
    async next(match, timeoutMs) {
      return (await stream.until(match, timeoutMs)).frame;
    },
    ended: new Promise((resolve) => {
      res.on('close', () => {
        ended = true;
        notify();
        resolve();
      });
    }),
    pause: () => res.pause(),
    resume: () => res.resume(),
    close: destroy,
  };

  const line = (text: string) => {
    if (text === '') {
      if (id !== undefined) stream.lastEventId = id;
      if (data.length > 0) {
        frames.push({ id, event: event || 'message', data: JSON.parse(data.join('\n')) });
        notify();
      }
      id = undefined;
      event = '';
      data = [];
      return;
    }
    if (text.startsWith(':')) {
      comments.push(text.slice(1).trim());
      return;
    }
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    const value = colon < 0 ? '' : text.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  };
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    buffer += chunk;
    let end = buffer.indexOf('\n');
    while (end >= 0) {
      line(buffer.slice(0, end).replace(/\r$/, ''));
      buffer = buffer.slice(end + 1);
      end = buffer.indexOf('\n');
    }
  });
  res.on('error', () => {});
  return stream;
}
