import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export interface SpawnedServer {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Runs `main.ts <role>` as a real process with the given environment (nothing inherited but PATH). */
export function spawnMain(role: string | undefined, env: Record<string, string>): SpawnedServer {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...(role ? [role] : [])], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => text,
    exited,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Polls a URL until it answers 200 or the time runs out; returns the milliseconds it took. */
export async function waitForOk(url: string, timeoutMs: number, server?: SpawnedServer): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.status === 200) return Date.now() - started;
    } catch {
      // not listening yet
    }
    if (server && server.child.exitCode !== null) {
      throw new Error(`process exited with ${server.child.exitCode}:\n${server.output()}`);
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`${url} not ready after ${timeoutMs} ms${server ? `:\n${server.output()}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
