// The rehearsal's front door: one HTTPS port on loopback answering for every public host name
// of the stack (the distribution, the API, Cognito's issuer and hosted-UI domain, and the
// simulator's softphone host), each handed to the part that plays it. Its certificates come from
// a CA made for this run with openssl; Chromium is told to resolve those names to this port, the
// simulator trusts the CA, so the page, the API and the sign-in are reached by their deployed
// names and schemes.

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest, createServer } from 'node:https';
import { connect } from 'node:net';
import { join } from 'node:path';

function openssl(args, what) {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`openssl is needed for the rehearsal's certificates (${what}): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`openssl ${what} failed: ${r.stderr}`);
}

/** A CA for this run, and a server certificate for `hosts` signed by it. */
export function makeCertificates(dir, hosts) {
  const ca = { key: join(dir, 'ca.key'), cert: join(dir, 'ca.pem') };
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', ca.key, '-out', ca.cert, '-days', '2',
    '-subj', '/CN=Operator console deploy rehearsal CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], 'CA');
  const key = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const cert = join(dir, 'server.pem');
  const ext = join(dir, 'server.ext');
  writeFileSync(ext, [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}`,
  ].join('\n'));
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=operator-console-rehearsal'], 'server key');
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', ext], 'server certificate');
  return { caFile: ca.cert, ca: readFileSync(ca.cert), key: readFileSync(key), cert: readFileSync(cert) };
}

export class Front {
  constructor({ certs, log }) {
    this.certs = certs;
    this.log = log;
    this.hosts = new Map();
    this.unknown = new Map();
  }

  /** `handler` answers requests for `host`; `upgrade(req, socket, head)` takes WebSockets. */
  serve(host, handler, upgrade) {
    this.hosts.set(host.toLowerCase(), { handler, upgrade });
  }

  async listen() {
    this.server = createServer({ key: this.certs.key, cert: this.certs.cert }, (req, res) => {
      const entry = this.hosts.get(String(req.headers.host ?? '').split(':')[0].toLowerCase());
      if (!entry) {
        this.unknown.set(req.headers.host, (this.unknown.get(req.headers.host) ?? 0) + 1);
        res.writeHead(421, { 'content-type': 'text/plain' }).end(`no part of the rehearsal answers for ${req.headers.host}`);
        return;
      }
      Promise.resolve(entry.handler(req, res)).catch((e) => {
        this.log(`front: ${req.headers.host}${req.url}: ${e.stack ?? e}`);
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`the rehearsal failed on this request: ${e.message}`);
      });
    });
    this.server.on('upgrade', (req, socket, head) => {
      const entry = this.hosts.get(String(req.headers.host ?? '').split(':')[0].toLowerCase());
      if (!entry?.upgrade) return socket.destroy();
      entry.upgrade(req, socket, head);
    });
    await new Promise((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = this.server.address().port;
    return this.port;
  }

  /** Fetches JSON from one of the front's hosts over HTTPS, as a client on the internet would. */
  fetchJson(url) {
    const u = new URL(url);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        { host: '127.0.0.1', port: this.port, path: u.pathname + u.search, servername: u.hostname, headers: { host: u.host, accept: 'application/json' }, ca: this.certs.ca },
        (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => {
            if (res.statusCode !== 200) return reject(new Error(`${url}: HTTP ${res.statusCode}`));
            try {
              resolve(JSON.parse(body));
            } catch (e) {
              reject(new Error(`${url}: not JSON: ${e.message}`));
            }
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  close() {
    this.server?.closeAllConnections?.();
    this.server?.close();
  }
}

/** Forwards a WebSocket upgrade to a plain-HTTP server on loopback (the simulator). */
export function upgradeTo(port) {
  return (req, socket, head) => {
    const upstream = connect(port, '127.0.0.1', () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head?.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    const close = () => {
      upstream.destroy();
      socket.destroy();
    };
    upstream.on('error', close);
    socket.on('error', close);
  };
}
