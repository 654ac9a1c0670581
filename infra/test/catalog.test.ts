/**
 * functions.json is the contract between the Rust routers, the CDK stack and the SAM template:
 * these tests keep it self-consistent and true to the architecture's rules.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CATALOG_PATH, deployedRoutes, loadCatalog, routeAuthorizer, routeKey } from '../lib/function-catalog';
import { Json, catalog } from './helpers';

describe('functions.json', () => {
  it('names every crate functions/<name> with a package and binary of the same name', () => {
    for (const fn of catalog.functions) {
      assert.equal(fn.crateDir, `functions/${fn.name}`, fn.name);
      assert.equal(fn.package, fn.name, fn.name);
    }
  });

  it('lists the nine functions of the architecture and the admin user management', () => {
    assert.deepEqual(
      catalog.functions.map((fn) => fn.name).sort(),
      ['call-lists', 'calls', 'crm', 'history', 'memos', 'operators', 'settings', 'token', 'users', 'voice'],
    );
  });

  it('puts the JWT authorizer on every /api route but a recording\'s media, and none on /twilio routes', () => {
    for (const fn of catalog.functions) {
      for (const route of fn.routes) {
        if (route.path === '/api/media/recordings/{token}') {
          assert.deepEqual([fn.name, route.method, routeAuthorizer(fn, route)], ['calls', 'GET', 'none']);
        } else if (route.path.startsWith('/api/')) assert.equal(routeAuthorizer(fn, route), 'jwt', routeKey(route));
        else if (route.path.startsWith('/twilio/')) assert.equal(fn.authorizer, 'none', routeKey(route));
        else assert.fail(`route ${routeKey(route)} is neither /api/ nor /twilio/`);
      }
    }
  });

  it('deploys authorized ANY routes as real methods only (never ANY or OPTIONS)', () => {
    assert.deepEqual(catalog.apiMethods, ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
    for (const fn of catalog.functions) {
      for (const route of deployedRoutes(catalog, fn)) {
        if (routeAuthorizer(fn, route) === 'jwt') assert.ok(catalog.apiMethods.includes(route.method), `${fn.name}: ${routeKey(route)}`);
      }
    }
  });

  it('gives Twilio credentials only to the functions that talk to Twilio', () => {
    const withSecret = catalog.functions.filter((fn) => fn.secrets.includes('twilio')).map((fn) => fn.name);
    assert.deepEqual(withSecret.sort(), ['calls', 'operators', 'token', 'voice']);
  });

  it('grants exact DynamoDB actions only, never Scan, and only existing indexes', () => {
    for (const fn of catalog.functions) {
      assert.ok(fn.table.actions.length > 0, fn.name);
      for (const action of fn.table.actions) {
        assert.match(action, /^dynamodb:[A-Z][A-Za-z]+$/, `${fn.name}: ${action}`);
        assert.notEqual(action, 'dynamodb:Scan', `${fn.name} must not Scan`);
      }
      for (const index of fn.table.indexes) assert.ok(['GSI1', 'GSI2'].includes(index), `${fn.name}: ${index}`);
      if (fn.table.indexes.length > 0) assert.ok(fn.table.actions.includes('dynamodb:Query'), fn.name);
    }
  });

  it('lets the flows before the queue reach what they touch (the deploy rehearsal walks them)', () => {
    const fn = (name: string) => catalog.functions.find((f) => f.name === name)!;
    const may = (name: string, ...actions: string[]) => {
      for (const a of actions) assert.ok(fn(name).table.actions.includes(`dynamodb:${a}`), `${name}: ${a}`);
    };
    // Voice: the voicemail box and the callback offer write the task, take the caller out of
    // the queue, and have Twilio move the call (the offer) with the account's credentials.
    may('voice', 'GetItem', 'PutItem', 'UpdateItem', 'DeleteItem');
    assert.ok(fn('voice').secrets.includes('twilio'));
    assert.deepEqual(fn('voice').routes, [{ method: 'ANY', path: '/twilio/{proxy+}' }], 'menu, voicemail and callback webhooks included');
    // Calls: the task list (GSI2), leases on a task, and a voicemail's recording relayed from Twilio.
    may('calls', 'GetItem', 'Query', 'UpdateItem');
    assert.ok(fn('calls').table.indexes.includes('GSI2'));
    assert.ok(fn('calls').secrets.includes('twilio'));
    // History: a number's calls and the voicemails it left while closed (GSI1), with the tasks
    // of its calls read beside the memos (one batch read).
    may('history', 'Query', 'BatchGetItem');
    assert.ok(fn('history').table.indexes.includes('GSI1'));
  });

  it('keeps memory small (128-256 MB) and timeouts under the API Gateway limit of 30 s', () => {
    for (const fn of catalog.functions) {
      const memory = fn.memoryMb ?? catalog.defaults.memoryMb;
      const timeout = fn.timeoutSeconds ?? catalog.defaults.timeoutSeconds;
      assert.ok(memory >= 128 && memory <= 256, `${fn.name}: ${memory} MB`);
      assert.ok(timeout > 0 && timeout < 30, `${fn.name}: ${timeout} s`);
    }
  });

  it('lists the keys of the Twilio secret the functions read', () => {
    assert.deepEqual(catalog.secrets.twilio.keys, ['account_sid', 'api_key_sid', 'api_key_secret', 'auth_token', 'twiml_app_sid']);
    assert.equal(catalog.secrets.twilio.env, 'TWILIO_SECRET_ARN');
  });

  it('describes the live channel: its three functions, $connect alone behind the subprotocol authorizer, the watched keys', () => {
    const live = catalog.live;
    assert.deepEqual(Object.values(live.functions).map((fn) => `${fn.crateDir} ${fn.package}`), [
      'functions/live live',
      'functions/live live-authorizer',
      'functions/push push',
    ]);
    assert.deepEqual(live.routes.filter((r) => r.authorizer).map((r) => r.key), ['$connect']);
    assert.equal(live.identitySource, 'route.request.header.Sec-WebSocket-Protocol');
    assert.deepEqual(live.functions.authorizer.table.actions, []);
    for (const fn of Object.values(live.functions)) {
      assert.ok(!fn.table.actions.includes('dynamodb:Scan'), fn.name);
      const memory = fn.memoryMb ?? catalog.defaults.memoryMb;
      assert.ok(memory >= 128 && memory <= 256, `${fn.name}: ${memory} MB`);
    }
  });

  it('rejects a live channel whose token could travel in the URL, or whose authorizer guards another route', () => {
    const broken = (change: (c: Json) => void) => {
      const c = JSON.parse(fs.readFileSync(CATALOG_PATH, 'utf8'));
      change(c);
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-')), 'functions.json');
      fs.writeFileSync(file, JSON.stringify(c));
      try {
        return () => loadCatalog(file);
      } finally {
        process.on('exit', () => fs.rmSync(path.dirname(file), { recursive: true, force: true }));
      }
    };
    assert.throws(broken((c) => (c.live.identitySource = 'route.request.querystring.token')), /subprotocol header/);
    assert.throws(broken((c) => (c.live.routes.find((r: Json) => r.key === '$default').authorizer = true)), /only \$connect/);
    assert.throws(broken((c) => (c.live.functions.authorizer.table.actions = ['dynamodb:GetItem'])), /no table access/);
    assert.throws(broken((c) => delete c.live), /no 'live' entry/);
  });

  it('lets only a GET without a greedy variable, of a function behind the authorizer, be public on its own', () => {
    const withRoute = (fnName: string, route: Json) => () => {
      const broken = JSON.parse(fs.readFileSync(CATALOG_PATH, 'utf8'));
      broken.functions.find((f: Json) => f.name === fnName).routes.push(route);
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-')), 'functions.json');
      fs.writeFileSync(file, JSON.stringify(broken));
      try {
        loadCatalog(file);
      } finally {
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
      }
    };
    assert.throws(withRoute('calls', { method: 'POST', path: '/api/media/x/{id}', authorizer: 'none' }), /must be a GET/);
    assert.throws(withRoute('calls', { method: 'GET', path: '/api/media/{proxy+}', authorizer: 'none' }), /greedy/);
    assert.throws(withRoute('voice', { method: 'GET', path: '/twilio/x/{id}', authorizer: 'none' }), /behind the JWT authorizer/);
    assert.throws(withRoute('calls', { method: 'GET', path: '/api/media/y/{id}', authorizer: 'jwt' }), /behind the JWT authorizer/);
  });

  it("serves Twilio's webhooks, and only them, at a function URL with a reserved concurrency; refuses one anywhere else", () => {
    assert.deepEqual(
      catalog.functions.filter((fn) => fn.functionUrl).map((fn) => [fn.name, fn.authorizer, fn.functionUrl!.reservedConcurrency]),
      [['voice', 'none', 100]],
    );
    assert.deepEqual(deployedRoutes(catalog, catalog.functions.find((fn) => fn.name === 'voice')!), [], 'no route on the HTTP API');
    const withChange = (change: (c: Json) => void) => () => {
      const broken = JSON.parse(fs.readFileSync(CATALOG_PATH, 'utf8'));
      change(broken);
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-')), 'functions.json');
      fs.writeFileSync(file, JSON.stringify(broken));
      try {
        loadCatalog(file);
      } finally {
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
      }
    };
    const fnOf = (c: Json, name: string) => c.functions.find((f: Json) => f.name === name);
    assert.throws(withChange((c) => (fnOf(c, 'crm').functionUrl = { reservedConcurrency: 10 })), /only a public function/);
    assert.throws(withChange((c) => (fnOf(c, 'voice').throttle = { rateLimit: 250, burstLimit: 500 })), /no HTTP API route to throttle/);
    assert.throws(withChange((c) => (fnOf(c, 'voice').functionUrl = { reservedConcurrency: 0 })), /at least 1/);
    assert.throws(
      withChange((c) => {
        const twin = { ...fnOf(c, 'voice'), name: 'voice-twin', crateDir: 'functions/voice-twin', package: 'voice-twin', routes: [{ method: 'ANY', path: '/twilio2/{proxy+}' }] };
        c.functions.push(twin);
      }),
      /only one function may be served at a function URL/,
    );
  });

  it('rejects a catalog that lists a route twice', () => {
    const broken = JSON.parse(fs.readFileSync(CATALOG_PATH, 'utf8'));
    broken.functions[1].routes.push(broken.functions[0].routes[0]);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-')), 'functions.json');
    fs.writeFileSync(file, JSON.stringify(broken));
    assert.throws(() => loadCatalog(file), /listed twice/);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });
});
