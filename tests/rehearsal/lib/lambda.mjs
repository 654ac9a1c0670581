// The rehearsal's Lambda: each function of the template runs as Lambda runs it — its binary
// started on the first invocation with exactly the environment its template resource declares
// plus what Lambda itself sets, one invocation at a time per instance through the Runtime API
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html), a new instance when all are
// busy, the declared timeout enforced (the instance is killed, as Lambda does) and the declared
// memory checked against the instance's peak resident memory after every invocation.
// Only the endpoints are redirected (`redirects`): the AWS SDK to the local AWS-compatible
// server, Twilio's REST base URL to the simulator.

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

const RUNTIME = '/2018-06-01/runtime';

/** An invocation that did not produce a result, with what API Gateway would make of it. */
export class InvocationError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind; // 'timeout' | 'crash' | 'init' | 'function' | 'memory' | 'no-code'
  }
}

class Instance {
  constructor(fn, number) {
    this.fn = fn;
    this.number = number;
    this.waiting = null; // the /next response this instance is parked on
    this.current = null; // { id, resolve, reject, timer }
    this.dead = false;
    this.peakKb = 0;
  }

  async start() {
    this.server = createServer((req, res) => this.route(req, res));
    await new Promise((r) => this.server.listen(0, '127.0.0.1', r));
    const api = `127.0.0.1:${this.server.address().port}`;
    const fn = this.fn;
    const env = {
      PATH: process.env.PATH,
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      ...fn.spec.environment,
      AWS_LAMBDA_FUNCTION_NAME: fn.spec.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.spec.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.spec.name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: `rehearsal/${this.number}`,
      AWS_LAMBDA_RUNTIME_API: api,
      AWS_REGION: fn.region,
      AWS_DEFAULT_REGION: fn.region,
      AWS_EXECUTION_ENV: `AWS_Lambda_${fn.spec.runtime ?? 'provided.al2023'}`,
      _HANDLER: fn.spec.handler ?? 'bootstrap',
      LAMBDA_TASK_ROOT: fn.spec.code.source,
      ...fn.credentials,
      ...fn.redirects,
    };
    this.child = spawn(fn.spec.code.command, [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout.pipe(fn.log, { end: false });
    this.child.stderr.pipe(fn.log, { end: false });
    this.child.on('exit', (code, signal) => this.exited(code, signal));
    this.child.on('error', (e) => this.exited(null, String(e)));
  }

  route(req, res) {
    const url = req.url ?? '';
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.method === 'GET' && url === `${RUNTIME}/invocation/next`) return this.next(res);
      const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
      if (req.method === 'POST' && m) return this.done(m[1], m[2], body, req.headers, res);
      if (req.method === 'POST' && url === `${RUNTIME}/init/error`) {
        this.initError = body;
        res.writeHead(202).end('{"status":"OK"}');
        return;
      }
      res.writeHead(404).end();
    });
  }

  next(res) {
    this.ready = true;
    this.waiting = res;
    this.fn.idle(this);
  }

  /** Hands an invocation to this instance (it is parked on /next). */
  give(invocation) {
    const res = this.waiting;
    this.waiting = null;
    this.current = invocation;
    const deadline = Date.now() + this.fn.spec.timeoutSeconds * 1000;
    invocation.timer = setTimeout(() => {
      this.fail(new InvocationError('timeout', `Task timed out after ${this.fn.spec.timeoutSeconds.toFixed(2)} seconds`));
      this.child.kill('SIGKILL');
    }, this.fn.spec.timeoutSeconds * 1000);
    res.writeHead(200, {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': invocation.id,
      'lambda-runtime-deadline-ms': String(deadline),
      'lambda-runtime-invoked-function-arn': this.fn.spec.arn,
      'lambda-runtime-trace-id': `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)};Parent=${randomUUID().replace(/-/g, '').slice(0, 16)};Sampled=1`,
    });
    res.end(JSON.stringify(invocation.event));
  }

  done(id, kind, body, headers, res) {
    res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"OK"}');
    const inv = this.current;
    if (!inv || inv.id !== id) return;
    clearTimeout(inv.timer);
    this.current = null;
    this.measure();
    if (this.peakKb > this.fn.spec.memoryMb * 1024) {
      inv.reject(new InvocationError('memory', `Runtime exited with error: signal: killed (peak ${Math.round(this.peakKb / 1024)} MB over ${this.fn.spec.memoryMb} MB)`));
      this.child.kill('SIGKILL');
      return;
    }
    if (kind === 'error') inv.reject(new InvocationError('function', `function error: ${body.slice(0, 500)}`));
    else inv.resolve(body);
  }

  measure() {
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      this.peakKb = Math.max(this.peakKb, kb);
      this.fn.peakKb = Math.max(this.fn.peakKb, kb);
    } catch {
      /* exited */
    }
  }

  fail(error) {
    const inv = this.current;
    this.current = null;
    if (inv) {
      clearTimeout(inv.timer);
      inv.reject(error);
    }
  }

  exited(code, signal) {
    if (this.dead) return;
    this.dead = true;
    const how = signal ? `signal ${signal}` : `exit status ${code}`;
    const why = this.initError
      ? new InvocationError('init', `init error: ${this.initError.slice(0, 500)}`)
      : this.ready
        ? new InvocationError('crash', `Runtime exited with error: ${how}`)
        : new InvocationError('init', `Runtime exited before asking for its first invocation (${how}); see ${this.fn.spec.name}.log`);
    this.fn.log.write(`[rehearsal] instance ${this.number} of ${this.fn.spec.name} ended: ${why.message}\n`);
    this.fail(why);
    this.waiting?.destroy();
    this.server.close();
    this.fn.gone(this, why);
  }

  stop() {
    if (!this.dead) this.child.kill('SIGKILL');
    this.server?.close();
  }
}

/** One function of the stack: its instances and queued invocations. */
export class LambdaFunction {
  constructor({ spec, region, redirects, credentials, logDir, maxConcurrency = 10 }) {
    this.spec = spec;
    this.region = region;
    this.redirects = redirects;
    this.credentials = credentials;
    this.maxConcurrency = maxConcurrency;
    this.instances = new Set();
    this.queue = [];
    this.starts = 0;
    this.invocations = 0;
    this.failures = [];
    this.peakKb = 0;
    this.log = createWriteStream(join(logDir, `${spec.name}.log`), { flags: 'a' });
  }

  /** Invokes with an event; resolves with the raw response payload (a string). */
  invoke(event) {
    if (this.spec.code.kind === 'none') {
      return Promise.reject(new InvocationError('no-code', `${this.spec.id} has no code the rehearsal can run: ${this.spec.code.reason}`));
    }
    if (!existsSync(this.spec.code.command)) {
      return Promise.reject(new InvocationError('no-code', `${this.spec.id}: ${this.spec.code.command} is not built`));
    }
    this.invocations += 1;
    return new Promise((resolve, reject) => {
      const invocation = {
        id: randomUUID(),
        event,
        resolve,
        reject: (e) => {
          this.failures.push(e.message);
          reject(e);
        },
      };
      const idle = [...this.instances].find((i) => i.waiting && !i.current);
      if (idle) idle.give(invocation);
      else {
        this.queue.push(invocation);
        const starting = [...this.instances].filter((i) => !i.waiting && !i.current).length;
        if (starting < this.queue.length && this.instances.size < this.maxConcurrency) void this.spawn();
      }
    });
  }

  async spawn() {
    this.starts += 1;
    const instance = new Instance(this, this.starts);
    this.instances.add(instance);
    await instance.start();
  }

  idle(instance) {
    const next = this.queue.shift();
    if (next) instance.give(next);
  }

  gone(instance, why) {
    this.instances.delete(instance);
    // A function that cannot start fails what waits for it, as Lambda answers the queued
    // invocations of a function whose init fails; after a crash or a timeout, a new instance
    // takes the queue.
    if (why.kind === 'init') {
      for (const inv of this.queue.splice(0)) inv.reject(why);
    } else if (this.queue.length > 0 && this.instances.size < this.maxConcurrency) {
      void this.spawn();
    }
  }

  stop() {
    for (const i of this.instances) i.stop();
    this.log.end();
  }
}
