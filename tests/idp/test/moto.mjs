// moto's server for the provider's tests: a Cognito-compatible user pool API on a free loopback
// port (moto_server from the test tools' venv, or MOTO_SERVER), stopped by the caller.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const MOTO = process.env.MOTO_SERVER ?? join(here, '..', '..', '.tools', 'venv', 'bin', 'moto_server');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Starts moto; `env` adds to its environment (e.g. real TOTP checks). */
export async function startMoto(env = {}) {
  if (!existsSync(MOTO)) throw new Error(`moto_server is not at ${MOTO}: run tests/run once, or set MOTO_SERVER`);
  const port = await freePort();
  const child = spawn(MOTO, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let log = '';
  child.stderr.on('data', (b) => (log = (log + b).slice(-4000)));
  const endpoint = `http://127.0.0.1:${port}`;
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`moto_server exited: ${log}`);
    try {
      await fetch(`${endpoint}/moto-api/`);
      return { endpoint, stop: () => child.kill('SIGTERM') };
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`moto_server did not answer: ${log}`);
}
