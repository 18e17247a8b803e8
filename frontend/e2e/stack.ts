import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** What the browser tests need to know of the FlowLens they run against. */
export interface Stack {
  url: string;
  email: string;
  password: string;
  adminKey: string;
  /** The folder the demo flow logs were written to (the demo source reads it; new sources may too). */
  flowlogs: string;
}

const root = resolve(import.meta.dirname, '../..');

const freePort = () =>
  new Promise<number>((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });

/**
 * Starts FlowLens exactly as the README's run command does (deploy/local/run.sh): its own PostgreSQL, a day of
 * synthetic flow logs ingested through a directory source, the built dashboard. Returns once it is serving.
 */
export async function startStack(log: (line: string) => void): Promise<{ stack: Stack; stop: () => Promise<void> }> {
  // /var/tmp, not /tmp: the postgres user must reach the folder when this runs as root.
  const data = mkdtempSync(
    join(process.env.FLOWLENS_E2E_TMP ?? (process.getuid?.() === 0 ? '/var/tmp' : tmpdir()), 'flowlens-e2e-'),
  );
  chmodSync(data, 0o755);
  const [httpPort, pgPort] = [await freePort(), await freePort()];
  const child: ChildProcess = spawn('bash', [join(root, 'deploy/local/run.sh')], {
    env: {
      ...process.env,
      FLOWLENS_DEMO_DIR: data,
      FLOWLENS_PORT: String(httpPort),
      FLOWLENS_DEMO_PG_PORT: String(pgPort),
      // Tops from the summaries even over the demo's few records (by default a range of at most 250,000 records is
      // answered exactly from the raw flows): the dashboard's approximate figures (≈) are then seen as they are at scale.
      FlowLens__Rollups__ExactTopRecords: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const exited = new Promise<number | null>((done) => child.on('exit', done));
  const ready = new Promise<Stack>((done, fail) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /FlowLens is running at (\S+)/.exec(output)?.[1];
      const signIn = /Sign in as (\S+) with password (\S+)/.exec(output);
      const key = /Admin API key: (\S+)/.exec(output)?.[1];
      if (url && signIn && key)
        done({ url, email: signIn[1], password: signIn[2], adminKey: key, flowlogs: join(data, 'flowlogs') });
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    void exited.then((code) =>
      fail(new Error(`run.sh exited with ${code} before FlowLens was ready:\n${output.slice(-3000)}`)),
    );
  });
  const stop = async () => {
    if (child.exitCode === null) {
      process.kill(-child.pid!, 'SIGTERM'); // run.sh's trap stops FlowLens and its PostgreSQL
      await exited;
    }
    rmSync(data, { recursive: true, force: true });
  };
  try {
    const stack = await ready;
    log(`FlowLens for the browser tests: ${stack.url}`);
    return { stack, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
