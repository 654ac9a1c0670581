// A rehearsal of one synthesised template: the local AWS-compatible server (moto) holding the
// table, the secret and the user pool the template declares; the template's functions under the
// rehearsal's Lambda with their IAM enforced, and their function URLs (Twilio's webhooks) at
// their own host names; its HTTP API under the rehearsal's API Gateway;
// its WebSocket API (the live channel) with its authorizer, routes and @connections under the
// rehearsal's WebSocket gateway, fed by the table's stream through the template's event source
// mapping; its distribution under the rehearsal's CloudFront; Cognito's sign-in played by a certified
// OpenID provider (tests/idp) that uses the pool as its user directory; and the Twilio simulator
// as Twilio. Everything public is reached by its deployed host name through one HTTPS front.
// Nothing comes from a hand-kept list: names, routes, permissions, environment, memory, timeouts,
// the authorizer, CORS, the page's config.json and its security headers all come from the
// template.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  AssociateSoftwareTokenCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { createIdp, cognitoDirectory, newSigningKey } from '../../idp/index.mjs';
import { authenticatorCode } from './client.mjs';
import { Distribution } from './cloudfront.mjs';
import { Front, makeCertificates, upgradeTo } from './front.mjs';
import { FunctionUrlEndpoint } from './function-url.mjs';
import { HttpApiGateway } from './gateway.mjs';
import { IamProxy } from './iam.mjs';
import { LambdaFunction } from './lambda.mjs';
import { awsClients, provision } from './provision.mjs';
import { startStreamMappings } from './streams.mjs';
import { WebSocketApiGateway } from './websocket.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..', '..');
/** The host name the page's simulated softphone is reached at (allowed by the page's CSP as a Twilio host). */
export const SIM_HOST = 'rehearsal-sim.twilio.com';
/** Claims the console's token trigger may add (functions/role-guard `MFA_CLAIM`). */
const TRIGGER_CLAIMS = ['console:mfa'];

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, child, what, log, ms = 30_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}): ${log()}`);
    const open = await new Promise((resolve) => {
      const s = new Socket();
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
      s.connect(port, '127.0.0.1');
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not listen on ${port} within ${ms / 1000}s: ${log()}`);
}

function child(command, args, opts, name, logDir) {
  const p = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  let tail = '';
  const keep = (b) => (tail = (tail + b.toString()).slice(-8000));
  p.stdout.on('data', keep);
  p.stderr.on('data', keep);
  if (logDir) {
    const file = join(logDir, `${name}.log`);
    // A service still printing while it exits may outlive the work directory removed at stop:
    // its last words are dropped rather than thrown from a stream handler after the tests.
    const write = (b) => {
      try {
        writeFileSync(file, b, { flag: 'a' });
      } catch (e) {
        if (e.code !== 'ENOENT') throw e;
      }
    };
    p.stdout.on('data', write);
    p.stderr.on('data', write);
  }
  p.tail = () => tail;
  return p;
}

/** Starts the Twilio simulator and resolves with its URL and account once it prints them. */
function startSimulator({ binary, publicUrl, resolveHosts, caFile, logDir }) {
  const args = ['--public-url', publicUrl, '--ca', caFile];
  for (const [host, addr] of resolveHosts) args.push('--resolve', `${host}=${addr}`);
  const p = child(binary, args, { env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' } }, 'twilio-sim', logDir);
  return new Promise((resolve, reject) => {
    let out = '';
    p.stdout.on('data', (b) => {
      out += b.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ process: p, ...JSON.parse(line) });
    });
    p.on('exit', (code) => reject(new Error(`twilio-sim exited (${code}): ${p.tail()}`)));
  });
}

/**
 * Runs a template. `template`: parsed CloudFormation; `assets`: how its code and files are found;
 * `users`: people to create in the pool besides those the template creates, each
 * `{ username, email, name, password, groups }`; `passwords`: passwords for users the template
 * creates (what they would set from their invitation e-mail).
 */
export async function startRehearsal({ template, stackName, region, accountId, parameters, assets, users = [], passwords = {}, authenticators = [], targetDir, log = () => {} }) {
  const workDir = mkdtempSync(join(tmpdir(), 'console-rehearsal-'));
  const logDir = join(workDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const cleanups = [];
  const stop = async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch {
        /* best effort */
      }
    }
  };
  try {
    // The AWS-compatible server: moto, one request at a time (tests/tools/dynamodb_server.py).
    const motoPort = await freePort();
    const python = process.env.TEST_TOOLS_PYTHON ?? join(repoRoot, 'tests', '.tools', 'venv', 'bin', 'python');
    if (!existsSync(python)) throw new Error(`${python} is missing: run tests/run or tests/rehearse, which create the test tools' venv`);
    // Authenticator codes are checked for real against the secret the pool hands out.
    const moto = child(python, [join(repoRoot, 'tests', 'tools', 'dynamodb_server.py'), '127.0.0.1', String(motoPort)], { env: { ...process.env, MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP: 'true' } }, 'moto', logDir);
    cleanups.push(() => moto.kill('SIGKILL'));
    await waitForPort(motoPort, moto, 'moto', moto.tail);
    const motoUrl = `http://127.0.0.1:${motoPort}`;
    const aws = awsClients(motoUrl, region);

    const stack = await provision({ template, stackName, region, accountId, parameters, aws, assets, workDir });

    // Users: the template's own (the first admin) get the password they would choose from their
    // invitation; the rehearsal's cast is created as an admin would invite them.
    const pools = [...stack.userPools.values()];
    if (pools.length !== 1) throw new Error(`the rehearsal expects one user pool, the template has ${pools.length}`);
    const pool = pools[0];
    for (const [username, password] of Object.entries(passwords)) {
      await aws.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: pool.id, Username: username, Password: password, Permanent: true }));
    }
    /** Registers an authenticator for a user as they would from the page; returns its secret. */
    const registerAuthenticator = async (username, password) => {
      const signedIn = await aws.cognito.send(
        new AdminInitiateAuthCommand({ UserPoolId: pool.id, ClientId: pool.clients[0].clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password } }),
      );
      const AccessToken = signedIn.AuthenticationResult.AccessToken;
      const { SecretCode } = await aws.cognito.send(new AssociateSoftwareTokenCommand({ AccessToken }));
      await aws.cognito.send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: await authenticatorCode(SecretCode) }));
      await aws.cognito.send(new SetUserMFAPreferenceCommand({ AccessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));
      return SecretCode;
    };
    const secrets = {};
    for (const [username, password] of Object.entries(passwords)) {
      if (authenticators.includes(username)) secrets[username] = await registerAuthenticator(username, password);
    }
    for (const u of users) {
      await aws.cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: pool.id,
          Username: u.email,
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: u.email },
            { Name: 'email_verified', Value: 'true' },
            { Name: 'name', Value: u.name },
          ],
        }),
      );
      await aws.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: pool.id, Username: u.email, Password: u.password, Permanent: true }));
      for (const g of u.groups) await aws.cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: pool.id, Username: u.email, GroupName: g }));
      if (u.authenticator) secrets[u.email] = await registerAuthenticator(u.email, u.password);
    }

    // The HTTP API, and the live channel's WebSocket API (played by lib/websocket.mjs) if any.
    const webSocketApis = [...stack.apis.values()].filter((a) => a.props.ProtocolType === 'WEBSOCKET');
    const apis = [...stack.apis.values()].filter((a) => a.props.ProtocolType !== 'WEBSOCKET');
    if (apis.length !== 1) throw new Error(`the rehearsal expects one HTTP API, the template has ${apis.length}`);
    const api = apis[0];
    const apiHost = new URL(api.endpoint).host;
    const issuer = `https://cognito-idp.${region}.amazonaws.com/${pool.id}`;
    const hosts = [
      apiHost,
      ...webSocketApis.map((a) => new URL(a.endpoint).host),
      ...stack.functionUrls.map((u) => u.domain),
      new URL(issuer).host,
      ...pool.domains,
      SIM_HOST,
      ...stack.cdn.distributions.map((d) => d.domain),
    ];
    const certs = makeCertificates(workDir, hosts);
    const front = new Front({ certs, log });
    const frontPort = await front.listen();
    cleanups.push(() => front.close());

    // Twilio: the simulator, whose credentials go into the secret as an admin stores them.
    const simBinary = join(targetDir, 'debug', 'twilio-sim');
    if (!existsSync(simBinary)) throw new Error(`${simBinary} is not built: cargo build -p local --bin twilio-sim`);
    // Where Twilio reaches the webhooks (the voice function URL, which every function hands
    // Twilio as PUBLIC_BASE_URL), and where the page reaches its API (the page's origin when the
    // distribution serves it, the API's own host otherwise).
    const webhookUrl = webhookBaseUrl(stack) ?? api.endpoint;
    const apiUrl = stack.outputs.ApiUrl ?? api.endpoint;
    const webhookHost = new URL(webhookUrl).host;
    const sim = await startSimulator({ binary: simBinary, publicUrl: webhookUrl, resolveHosts: [[webhookHost, `127.0.0.1:${frontPort}`]], caFile: certs.caFile, logDir });
    cleanups.push(() => sim.process.kill('SIGKILL'));
    const secret = stack.secrets.find((s) => /twilio/i.test(s.id)) ?? stack.secrets[0];
    if (!secret) throw new Error('the template declares no secret for the Twilio credentials');
    const credentials = {
      account_sid: sim.account_sid,
      api_key_sid: sim.api_key_sid,
      api_key_secret: sim.api_key_secret,
      auth_token: sim.auth_token,
      twiml_app_sid: sim.twiml_app_sid,
    };
    await aws.secrets.send(new PutSecretValueCommand({ SecretId: secret.arn, SecretString: JSON.stringify(credentials) }));

    // The pool's pre-token-generation trigger, if the template gives it one: the IdP invokes it
    // before every ID token, through the rehearsal's Lambda, with Cognito's event.
    const lambdaConfig = pool.props.LambdaConfig ?? {};
    const triggerArn = lambdaConfig.PreTokenGenerationConfig?.LambdaArn ?? lambdaConfig.PreTokenGeneration;
    let functions;
    const tokenHook = triggerArn
      ? async ({ user, clientId, groups }) => {
          const spec = [...stack.functions.values()].find((f) => f.arn === triggerArn);
          if (!spec) throw new Error(`the pool's token trigger ${triggerArn} is not a function of the stack`);
          const event = {
            version: '1',
            triggerSource: 'TokenGeneration_HostedAuth',
            region,
            userPoolId: pool.id,
            userName: user.username,
            callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: clientId ?? pool.clients[0].clientId },
            request: {
              userAttributes: { sub: user.sub, email: user.email ?? '', email_verified: String(!!user.emailVerified), name: user.name ?? '', 'cognito:user_status': 'CONFIRMED' },
              groupConfiguration: { groupsToOverride: groups, iamRolesToOverride: [], preferredRole: null },
              clientMetadata: {},
            },
            response: { claimsOverrideDetails: null },
          };
          const out = JSON.parse(await functions.get(spec.id).invoke(event));
          const d = out.response?.claimsOverrideDetails;
          return d ? { groups: d.groupOverrideDetails?.groupsToOverride ?? groups, claims: d.claimsToAddOrOverride ?? {} } : undefined;
        }
      : undefined;

    // Cognito's sign-in: the OpenID provider on the pool, with the template's clients. Its key
    // is kept, so a test can sign a token the provider would not issue (an expired one).
    const signingKey = newSigningKey();
    const idp = await createIdp({
      signingKey,
      tokenHook,
      tokenHookClaims: TRIGGER_CLAIMS,
      issuer,
      clients: pool.clients.map((c) => ({ clientId: c.clientId, redirectUris: c.props.CallbackURLs ?? [], logoutUris: c.props.LogoutURLs ?? [] })),
      directory: cognitoDirectory({ endpoint: motoUrl, region, userPoolId: pool.id, clientId: pool.clients[0].clientId }),
      idTokenTtlSeconds: tokenSeconds(pool.clients[0].props, 'IdToken', 60),
      refreshTokenTtlSeconds: tokenSeconds(pool.clients[0].props, 'RefreshToken', 30 * 24 * 60),
    });
    cleanups.push(() => idp.close());
    // The issuer's host is also the pool's own API (`POST /`), which the page calls to register
    // an authenticator.
    // Cognito publishes a pool's keys at `{issuer}/.well-known/jwks.json`, where the live
    // channel's authorizer reads them; the provider at its discovery's `jwks_uri`: that path
    // is answered from the provider's keys.
    let jwksPath;
    const cognitoJwks = `${new URL(issuer).pathname}/.well-known/jwks.json`;
    front.serve(new URL(issuer).host, async (req, res) => {
      const path = new URL(req.url, issuer).pathname;
      if (path === '/') return idp.userApiHandler(req, res);
      if (path === cognitoJwks) {
        jwksPath ??= new URL((await front.fetchJson(`${issuer}/.well-known/openid-configuration`)).jwks_uri).pathname;
        req.url = jwksPath;
      }
      return idp.issuerHandler(req, res);
    });
    for (const d of pool.domains) front.serve(d, idp.logoutHandler);

    // The functions' way out: HTTPS to the stack's public names (the issuer's keys, which the
    // live channel's authorizer reads) through a proxy that tunnels them to the front, trusting
    // this run's CA; every other host is refused, so nothing leaves the machine.
    const egress = await startEgress(front, frontPort);
    cleanups.push(() => egress.close());
    const network = {
      HTTPS_PROXY: egress.url,
      https_proxy: egress.url,
      NO_PROXY: '127.0.0.1,localhost',
      no_proxy: '127.0.0.1,localhost',
      SSL_CERT_FILE: certs.caFile,
    };

    // IAM between the functions and AWS; the functions; the API; the distribution.
    const iam = new IamProxy({ stack, upstreamPort: motoPort, log });
    const iamUrl = await iam.listen();
    cleanups.push(() => iam.close());
    functions = new Map();
    // The WebSocket APIs' @connections endpoints the functions are given (LIVE_ENDPOINT), each
    // redirected to its emulator's loopback port as AWS_ENDPOINT_URL is to the local AWS.
    const sockets = webSocketApis.map((a) => new WebSocketApiGateway({ stack, api: a, functions, iam, log }));
    const managed = new Map();
    for (const socket of sockets) {
      managed.set(socket.managementEndpoint, await socket.listen());
      cleanups.push(() => socket.close());
    }
    for (const spec of stack.functions.values()) {
      const endpoints = {};
      for (const [name, value] of Object.entries(spec.environment)) {
        if (managed.has(value)) endpoints[name] = managed.get(value);
        else if (sockets.some((socket) => String(value).includes(socket.host))) {
          throw new Error(`${spec.id}: ${name}=${value} names the WebSocket API but is not its stage's management endpoint ${sockets[0].managementEndpoint}`);
        }
      }
      const fn = new LambdaFunction({
        spec,
        region,
        logDir,
        credentials: iam.credentialsFor(spec),
        redirects: { AWS_ENDPOINT_URL: iamUrl, TWILIO_API_BASE_URL: sim.url, ...endpoints, ...network },
      });
      functions.set(spec.id, fn);
      cleanups.push(() => fn.stop());
    }
    for (const socket of sockets) {
      front.serve(socket.host, (req, res) => socket.handle(req, res), (req, sock, head) => socket.upgrade(req, sock, head));
    }
    // The table's stream, read for each event source mapping as Lambda reads it.
    const streams = await startStreamMappings({ stack, functions, iamUrl, log });
    cleanups.push(() => Promise.all(streams.map((m) => m.stop())));
    const gateway = new HttpApiGateway({ stack, api, functions, fetchJson: (u) => front.fetchJson(u), log });
    front.serve(apiHost, (req, res) => gateway.handle(req, res));
    const functionUrls = stack.functionUrls.map((url) => {
      const endpoint = new FunctionUrlEndpoint({ stack, url, functions, log });
      front.serve(url.domain, (req, res) => endpoint.handle(req, res));
      return endpoint;
    });
    const distributions = stack.cdn.distributions.map((d) => {
      const dist = new Distribution({
        stack,
        distribution: d,
        log,
        forward: (domain, req, res, uri, policyHeaders) => forwardToOrigin(front, domain, req, res, uri, policyHeaders, d.domain),
        forwardUpgrade: (domain, req, socket, head, uri) => upgradeToOrigin(front, domain, req, socket, head, uri, d.domain),
      });
      front.serve(d.domain, (req, res) => dist.handle(req, res), (req, socket, head) => dist.handleUpgrade(req, socket, head));
      return dist;
    });
    front.serve(SIM_HOST, (req, res) => {
      res.writeHead(404).end();
    }, upgradeTo(Number(new URL(sim.url).port)));

    return {
      workDir,
      logDir,
      stack,
      api,
      /** Where the page and the walks reach the API (see `apiUrl` above). */
      apiUrl,
      /** Where Twilio reaches the webhooks: the voice function URL's origin. */
      webhookUrl,
      /** The function URLs' endpoints (their counts of answers by status). */
      functionUrls,
      /** What the API and the function URLs answered, by route or URL and status, counted. */
      answerCounts: () => new Map([...gateway.counts, ...functionUrls.flatMap((u) => [...u.counts].map(([k, n]) => [`${u.url.fn.name} at its URL: ${k}`, n]))]),
      /** The API's own endpoint (execute-api). */
      apiEndpoint: api.endpoint,
      issuer,
      pool,
      front,
      frontPort,
      certs,
      sim,
      credentials,
      iam,
      functions,
      gateway,
      /** The WebSocket APIs (the live channel) and the stream mappings feeding its push function. */
      sockets,
      streams,
      distributions,
      pageUrl: distributions[0] ? `https://${distributions[0].domain}/` : null,
      aws,
      /** Authenticator secrets of the users who registered one, by username. */
      secrets,
      /** The provider's signing key (a private JWK). */
      signingKey,
      /** Chromium's host mapping for every public name of the rehearsal. */
      hostRules: hosts.map((h) => `MAP ${h} 127.0.0.1:${frontPort}`).join(', '),
      stop: async () => {
        await stop();
        if (!process.env.REHEARSAL_KEEP) rmSync(workDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await stop();
    throw Object.assign(e, { rehearsalLogs: logDir });
  }
}

/**
 * Where Twilio reaches the webhooks: the functions' PUBLIC_BASE_URL, which all share but the
 * function Twilio calls at its own function URL (given the region's function URL domain: it reads
 * its URL from each request). That base must be the origin of one of the stack's function URLs,
 * served by a function given the region's domain, or the webhooks' signatures could not hold.
 */
function webhookBaseUrl(stack) {
  const region = `https://lambda-url.${stack.region}.on.aws`;
  const specs = [...stack.functions.values()];
  const urls = new Set(specs.map((f) => f.environment.PUBLIC_BASE_URL).filter((u) => u && u !== region));
  if (urls.size > 1) throw new Error(`the functions disagree on PUBLIC_BASE_URL: ${[...urls].join(', ')}`);
  const [base] = urls;
  const atUrl = stack.functionUrls.find((u) => `https://${u.domain}` === base);
  if (stack.functionUrls.length > 0 && !atUrl) throw new Error(`PUBLIC_BASE_URL ${base} is none of the stack's function URLs (${stack.functionUrls.map((u) => u.domain).join(', ')})`);
  if (atUrl && atUrl.fn.environment.PUBLIC_BASE_URL !== region) {
    throw new Error(`${atUrl.fn.id} is called at its function URL but its PUBLIC_BASE_URL is ${atUrl.fn.environment.PUBLIC_BASE_URL}, not ${region}`);
  }
  const output = stack.outputs.TwilioWebhookBaseUrl;
  if (output !== undefined && output !== base) throw new Error(`the stack's TwilioWebhookBaseUrl ${output} is not where the functions send Twilio (${base})`);
  return base;
}

/**
 * CloudFront forwarding to a custom origin: the origin's host name instead of the viewer's
 * (AllViewerExceptHostHeader), CloudFront's own request headers added, the body as it came, and
 * the behaviour's response headers policy applied to the answer.
 */
function forwardToOrigin(front, domain, req, res, uri, policyHeaders, distributionDomain) {
  const entry = front.hosts.get(domain.toLowerCase());
  if (!entry) throw new Error(`the distribution forwards to ${domain}, which no part of the rehearsal plays`);
  req.url = uri;
  req.headers.host = domain;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() === 'host') req.rawHeaders[i + 1] = domain;
  }
  const added = { via: `2.0 ${distributionDomain} (CloudFront)`, 'x-amz-cf-id': Math.random().toString(36).slice(2) };
  for (const [name, value] of Object.entries(added)) {
    req.headers[name] = value;
    req.rawHeaders.push(name, value);
  }
  const writeHead = res.writeHead.bind(res);
  res.writeHead = (status, headers) => {
    const list = Array.isArray(headers) ? [...headers] : Object.entries(headers ?? {}).flat();
    const names = new Set(list.filter((_, i) => i % 2 === 0).map((n) => String(n).toLowerCase()));
    for (const [name, { value, override }] of Object.entries(policyHeaders)) {
      if (names.has(name) && !override) continue;
      for (let i = list.length - 2; i >= 0; i -= 2) if (String(list[i]).toLowerCase() === name) list.splice(i, 2);
      list.push(name, value);
    }
    list.push('x-cache', 'Miss from cloudfront', 'via', `1.1 ${distributionDomain} (CloudFront)`);
    return writeHead(status, list);
  };
  return entry.handler(req, res);
}

/**
 * An HTTPS proxy (CONNECT) for the functions: a tunnel to the front for the stack's public host
 * names on port 443, 403 for anything else (counted among the hosts no part of the rehearsal
 * plays).
 */
async function startEgress(front, frontPort) {
  const server = createHttpServer((req, res) => res.writeHead(405).end());
  server.on('connect', (req, client, head) => {
    const [host, port = '443'] = String(req.url).split(':');
    if (!front.hosts.has(host.toLowerCase()) || port !== '443') {
      front.unknown.set(req.url, (front.unknown.get(req.url) ?? 0) + 1);
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = connect(frontPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head?.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => (server.closeAllConnections?.(), server.close()) };
}

/**
 * CloudFront passing a WebSocket upgrade to a custom origin: the origin's host name instead of
 * the viewer's, the viewer's other headers (the subprotocols among them), CloudFront's own added.
 */
function upgradeToOrigin(front, domain, req, socket, head, uri, distributionDomain) {
  const entry = front.hosts.get(domain.toLowerCase());
  if (!entry?.upgrade) {
    socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    front.unknown.set(domain, (front.unknown.get(domain) ?? 0) + 1);
    front.log(`the distribution forwards a WebSocket to ${domain}, which no part of the rehearsal plays`);
    return;
  }
  req.url = uri;
  req.headers.host = domain;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() === 'host') req.rawHeaders[i + 1] = domain;
  }
  const viewer = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
  const added = { via: `1.1 ${distributionDomain} (CloudFront)`, 'x-amz-cf-id': Math.random().toString(36).slice(2), 'x-forwarded-for': viewer };
  for (const [name, value] of Object.entries(added)) {
    req.headers[name] = value;
    req.rawHeaders.push(name, value);
  }
  return entry.upgrade(req, socket, head);
}

function tokenSeconds(props, kind, fallbackMinutes) {
  const field = { IdToken: 'IdTokenValidity', AccessToken: 'AccessTokenValidity', RefreshToken: 'RefreshTokenValidity' }[kind];
  const value = props[field];
  if (value === undefined) return fallbackMinutes * 60;
  const unit = props.TokenValidityUnits?.[kind] ?? (kind === 'RefreshToken' ? 'days' : 'hours');
  return Number(value) * { seconds: 1, minutes: 60, hours: 3600, days: 86400 }[unit];
}

/** Reads a JSON file. */
export function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}
