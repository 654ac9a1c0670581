#!/usr/bin/env node
// The test provider over plain HTTP on 127.0.0.1, for local sign-in and the browser tests:
//
//   node tests/idp/server.mjs --port N [--issuer URL] --users FILE.json --client CLIENT_ID
//        --redirect URI [--redirect URI…] [--logout URI…] [--id-token-ttl S] [--refresh-token-ttl S]
//
// The issuer defaults to http://127.0.0.1:N; Cognito's logout URL is served at <issuer>/logout
// (and at /logout when the issuer has a path). Users: a JSON array as staticDirectory takes it.
// Prints `idp listening at <issuer>` once it answers.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createIdp, staticDirectory } from './index.mjs';

const USAGE =
  'usage: server.mjs --port N [--issuer URL] --users FILE.json --client CLIENT_ID --redirect URI [--logout URI] [--id-token-ttl SECONDS] [--refresh-token-ttl SECONDS]';

function parseArgs(argv) {
  const a = { redirect: [], logout: [] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value; ${USAGE}`);
      return v;
    };
    const seconds = () => {
      const v = Number(value());
      if (!Number.isInteger(v) || v <= 0) throw new Error(`${flag} needs a whole number of seconds`);
      return v;
    };
    switch (flag) {
      case '--port': {
        const p = Number(value());
        if (!Number.isInteger(p) || p < 0 || p > 65535) throw new Error('--port needs a port number (0 picks a free one)');
        a.port = p;
        break;
      }
      case '--issuer':
        a.issuer = value();
        break;
      case '--users':
        a.users = value();
        break;
      case '--client':
        a.client = value();
        break;
      case '--redirect':
        a.redirect.push(value());
        break;
      case '--logout':
        a.logout.push(value());
        break;
      case '--id-token-ttl':
        a.idTokenTtlSeconds = seconds();
        break;
      case '--refresh-token-ttl':
        a.refreshTokenTtlSeconds = seconds();
        break;
      case '-h':
      case '--help':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${flag}; ${USAGE}`);
    }
  }
  for (const [key, flag] of [['port', '--port'], ['users', '--users'], ['client', '--client']]) {
    if (a[key] === undefined) throw new Error(`${flag} is required; ${USAGE}`);
  }
  if (a.redirect.length === 0) throw new Error(`--redirect is required; ${USAGE}`);
  return a;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const users = JSON.parse(readFileSync(args.users, 'utf8'));
  let idp;
  const server = createServer((req, res) => {
    if (!idp) {
      res.writeHead(503, { 'retry-after': '1' }).end();
      return;
    }
    const path = new URL(req.url, 'http://idp.invalid').pathname;
    const handler = path === logoutPath || path === '/logout' ? idp.logoutHandler : idp.issuerHandler;
    handler(req, res).catch((e) => {
      console.error(e);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('the provider failed; see its log');
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(args.port, '127.0.0.1', resolve);
  });
  const issuer = (args.issuer ?? `http://127.0.0.1:${server.address().port}`).replace(/\/$/, '');
  const logoutPath = `${new URL(issuer).pathname.replace(/\/$/, '')}/logout`;
  idp = await createIdp({
    issuer,
    clients: [{ clientId: args.client, redirectUris: args.redirect, logoutUris: args.logout }],
    directory: staticDirectory(users),
    ...(args.idTokenTtlSeconds ? { idTokenTtlSeconds: args.idTokenTtlSeconds } : {}),
    ...(args.refreshTokenTtlSeconds ? { refreshTokenTtlSeconds: args.refreshTokenTtlSeconds } : {}),
  });
  const stop = () => {
    server.close();
    server.closeAllConnections();
    void idp.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.log(`idp listening at ${issuer}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(2);
});
