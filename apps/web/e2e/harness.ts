import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

const root = new URL('../../..', import.meta.url).pathname;
export const screenshotDir = new URL('./screenshots/', import.meta.url).pathname;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
export type JsonReply = { status: number; body: any };

export interface Mail {
  kind: string;
  to: string;
  link: string;
}

/** The platform in embedded mode, as `npm start` runs it, on free ports and a throwaway data dir. */
export interface RunningPlatform {
  url: string;
  /** The embedded Graph API simulator (its `/_sim/...` control API drives virtual customers). */
  simUrl: string;
  mails: Mail[];
  /** The installation operator's API (`/api/v1/operator/…`) with the run's OPERATOR_TOKEN. */
  operator(method: string, path: string, body?: unknown): Promise<JsonReply>;
  /** The simulator's control API (what Meta and the customers' phones do); throws unless it answers 2xx. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
  sim(method: string, path: string, body?: unknown): Promise<any>;
  /** Waits for the newest email of a kind to an address (the console mailer logs it). */
  mailTo(kind: string, to: string): Promise<Mail>;
  stop(): Promise<void>;
}

export async function startPlatform(
  options: { env?: Record<string, string> } = {},
): Promise<RunningPlatform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'owaba-e2e-'));
  const [port, simPort] = [await freePort(), await freePort()];
  const operatorToken = options.env?.OPERATOR_TOKEN ?? randomBytes(24).toString('hex');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts', 'all'], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PORT: String(port),
      GRAPH_SIM_PORT: String(simPort),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      OPERATOR_TOKEN: operatorToken,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const mails: Mail[] = [];
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`platform did not start:\n${output.slice(-4000)}`)),
      60_000,
    );
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        output += `${line}\n`;
        const up = line.match(/is up at (\S+)/);
        if (up?.[1]) {
          clearTimeout(timer);
          resolve(up[1]);
        }
        if (line.includes('"link"')) {
          try {
            const entry = JSON.parse(line) as Partial<Mail>;
            if (entry.kind && entry.to && entry.link)
              mails.push({ kind: entry.kind, to: entry.to, link: entry.link });
          } catch {
            // Not a JSON log line.
          }
        }
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`platform exited with ${code}:\n${output.slice(-4000)}`));
    });
  });

  return {
    url,
    simUrl: `http://127.0.0.1:${simPort}`,
    mails,
    async operator(method, path, body) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${operatorToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    async sim(method, path, body) {
      const response = await fetch(`http://127.0.0.1:${simPort}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
      return text ? JSON.parse(text) : null;
    },
    async mailTo(kind, to) {
      for (let i = 0; i < 50; i++) {
        const mail = mails.filter((m) => m.kind === kind && m.to === to).at(-1);
        if (mail) return mail;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`no ${kind} email to ${to}`);
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Debian's chromium, headless; playwright gives each launch a fresh temporary profile. A launch that
 * hangs (seen on a loaded machine) is abandoned after 30 s and tried again.
 */
export async function launchBrowser(attempts = 3): Promise<Browser> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await chromium.launch({
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        headless: true,
        timeout: 30_000,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--disable-dev-shm-usage',
        ],
      });
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

/** Calls the platform's API from the page, as its signed-in user (session cookie and CSRF token). */
export async function sessionApi(
  page: Page,
  method: string,
  path: string,
  body?: unknown,
): Promise<JsonReply> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const csrf = document.cookie.match(/(?:^|;\s*)owaba_csrf=([^;]+)/)?.[1];
      const response = await fetch(path, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(csrf ? { 'x-csrf-token': decodeURIComponent(csrf) } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    { method, path, body },
  );
}
