/**
 * Typed access to `infra/functions.json`, the one list of Lambda functions, their routes and
 * their permissions. The CDK stack builds from it; the tests check the CDK template, the SAM
 * template and (on the Rust side) the routers against it, so none of them can drift.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** An HTTP API route as API Gateway writes it: `ANY /api/crm/{proxy+}`. */
export interface RouteSpec {
  readonly method: 'ANY' | 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
  readonly path: string;
  /**
   * `none` on one route of a function behind the JWT authorizer: a public route whose request
   * carries its own credential (a recording's media, fetched by `<audio>` with a short-lived
   * link token, since a media element sends no bearer token). Only a GET of a path without a
   * greedy variable may be public this way; absent, the route takes its function's authorizer.
   */
  readonly authorizer?: 'none';
}

/** What one function may do on the single table. */
export interface TableAccess {
  /** Exact DynamoDB IAM actions (`dynamodb:GetItem`, ...). Never a wildcard, never Scan. */
  readonly actions: string[];
  /** Global secondary indexes the function may Query. */
  readonly indexes: string[];
}

/** What a function may do on the user pool. */
export interface UserPoolAccess {
  /** Exact Cognito IAM actions (`cognito-idp:AdminGetUser`, ...), granted on the pool only. */
  readonly actions: string[];
}

/** The environment variable that carries the user pool id to a function with `userPool` access. */
export const USER_POOL_ENV = 'USER_POOL_ID';

export interface FunctionSpec {
  /** Function name; also the Cargo package and binary name. */
  readonly name: string;
  /** Crate folder relative to the repository root (`functions/<name>`). */
  readonly crateDir: string;
  /** Cargo package (and binary) name. */
  readonly package: string;
  readonly description: string;
  /** `jwt`: Cognito JWT authorizer; `none`: public route (Twilio signature checked in code). */
  readonly authorizer: 'jwt' | 'none';
  readonly routes: RouteSpec[];
  /** Keys into the catalog's `secrets` the function may read. */
  readonly secrets: string[];
  readonly table: TableAccess;
  /** Cognito admin actions on the user pool (with USER_POOL_ID in the environment); absent for most. */
  readonly userPool?: UserPoolAccess;
  /** Exact S3 actions on the page bucket's objects under `prefix` (with PAGE_BUCKET in the environment); absent for most. */
  readonly pageBucket?: PageBucketAccess;
  readonly memoryMb?: number;
  readonly timeoutSeconds?: number;
  /** The route-level limit of this function's routes, in place of the stage's default. */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * Serves the function's routes at its own Lambda function URL (auth type NONE: a public
   * function, `authorizer: 'none'`, checking Twilio's signature) instead of on the HTTP API.
   */
  readonly functionUrl?: FunctionUrlSpec;
}

/** A function served at its own Lambda function URL (see `functions.json`). */
export interface FunctionUrlSpec {
  /**
   * The function's reserved concurrency: a floor no other function can take, and a cap on what
   * a flood of unsigned requests can take from the others (beyond it Lambda answers 429).
   */
  readonly reservedConcurrency: number;
}

/**
 * `PUBLIC_BASE_URL` of the function served at its function URL: the region's function URL
 * domain, `https://lambda-url.<region>.on.aws`. The template cannot name the function's own URL
 * (made from the function: a cycle); the function reads it from each request, whose domain
 * Lambda names (functions/voice/src/origin.rs).
 */
export function regionFunctionUrls(region: string): string {
  return `https://lambda-url.${region}.on.aws`;
}

/** What a function may do to the page bucket: exact `s3:` object actions under one prefix. */
export interface PageBucketAccess {
  readonly actions: string[];
  /** A folder of the bucket, ending `/` (`music/`); the grant is on `<prefix>*`. */
  readonly prefix: string;
}

/** The environment variable that carries the page bucket's name to a function with `pageBucket` access. */
export const PAGE_BUCKET_ENV = 'PAGE_BUCKET';

/** A function the user pool invokes on an event of its own (no route, no table). */
export interface TriggerSpec {
  readonly name: string;
  readonly crateDir: string;
  readonly package: string;
  readonly description: string;
  /** The user pool event: `preTokenGeneration` (tokens about to be issued). */
  readonly event: 'preTokenGeneration';
  readonly userPool: UserPoolAccess;
  readonly memoryMb?: number;
  readonly timeoutSeconds?: number;
}

/** A function an EventBridge rule invokes on a schedule (no route): the reconciliation. */
export interface ScheduledSpec {
  readonly name: string;
  readonly crateDir: string;
  readonly package: string;
  readonly description: string;
  /** An EventBridge schedule expression: `rate(1 minute)`. */
  readonly schedule: string;
  /** Keys into the catalog's `secrets` the function may read. */
  readonly secrets: string[];
  readonly table: TableAccess;
  readonly memoryMb?: number;
  readonly timeoutSeconds?: number;
}

export interface SecretSpec {
  /** Environment variable that carries the secret's ARN (never its value). */
  readonly env: string;
  readonly description: string;
  /** JSON keys of the secret value. */
  readonly keys: string[];
}

/** One of the live channel's functions (a binary of a workspace crate; no HTTP routes). */
export interface LiveFunctionSpec {
  readonly name: string;
  readonly crateDir: string;
  /** The binary (cargo-lambda builds `target/lambda/<package>`). */
  readonly package: string;
  readonly description: string;
  /** Exact DynamoDB actions on the table (none for the authorizer). */
  readonly table: TableAccess;
  readonly memoryMb?: number;
  readonly timeoutSeconds?: number;
}

/** A route of the WebSocket API. */
export interface LiveRouteSpec {
  /** `$connect`, `$disconnect`, `$default` or an action (`subscribe`). */
  readonly key: string;
  /** Guarded by the REQUEST authorizer (only `$connect` may be). */
  readonly authorizer: boolean;
  /** The routes function's answer is sent back to the client (a route response). */
  readonly returnResponse: boolean;
}

/** The live channel: the WebSocket API, its functions and the table's stream (see functions.json). */
export interface LiveSpec {
  /** The stage, also the channel's path on the page's origin. */
  readonly stage: string;
  readonly routeSelectionExpression: string;
  /** Where the authorizer reads the token: `route.request.header.Sec-WebSocket-Protocol`. */
  readonly identitySource: string;
  readonly routes: LiveRouteSpec[];
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly stream: {
    readonly viewType: 'NEW_AND_OLD_IMAGES';
    readonly startingPosition: 'LATEST' | 'TRIM_HORIZON';
    readonly batchSize: number;
    readonly maximumBatchingWindowSeconds: number;
    readonly retryAttempts: number;
    readonly maximumRecordAgeSeconds: number;
    /** The event source mapping's filters: the PK prefixes whose changes reach the push function. */
    readonly watchedKeyPrefixes: string[];
  };
  readonly functions: Record<'routes' | 'authorizer' | 'push', LiveFunctionSpec>;
}

export interface FunctionCatalog {
  /**
   * Methods an `ANY` route behind the authorizer is deployed as (and the CORS allow-list). An
   * authorized ANY route would also match the CORS preflight, which carries no token.
   */
  readonly apiMethods: RouteSpec['method'][];
  readonly defaults: { memoryMb: number; timeoutSeconds: number; env: Record<string, string> };
  readonly secrets: Record<string, SecretSpec>;
  readonly triggers: TriggerSpec[];
  /** Functions run on a schedule. */
  readonly scheduled: ScheduledSpec[];
  /** The live channel's WebSocket API and its three functions. */
  readonly live: LiveSpec;
  /** Log lines counted in every HTTP function's log group, each with an alarm of its own. */
  readonly logAlarms: LogAlarmSpec[];
  readonly functions: FunctionSpec[];
}

/** The CloudWatch namespace of the metrics counted from the functions' logs. */
export const LOG_METRIC_NAMESPACE = 'OperatorConsole';

/**
 * A log line that must page someone: a metric filter on each HTTP function's log group counts
 * it into `metric` (namespace {@link LOG_METRIC_NAMESPACE}), alarmed at one in five minutes.
 */
export interface LogAlarmSpec {
  readonly metric: string;
  /** A CloudWatch Logs filter pattern over the functions' JSON log lines. */
  readonly pattern: string;
  readonly description: string;
}

/** The folder holding `functions.json` (the infra root), found from this file upwards. */
export const INFRA_ROOT: string = findInfraRoot(__dirname);

/** Path of the catalog file. */
export const CATALOG_PATH: string = path.join(INFRA_ROOT, 'functions.json');

function findInfraRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'functions.json')) && fs.existsSync(path.join(dir, 'cdk.json'))) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`functions.json not found above ${start}`);
    }
    dir = parent;
  }
}

/** Reads and checks the catalog; throws naming the first inconsistency it finds. */
export function loadCatalog(file: string = CATALOG_PATH): FunctionCatalog {
  const catalog = JSON.parse(fs.readFileSync(file, 'utf8')) as FunctionCatalog;
  for (const method of catalog.apiMethods) {
    if (method === 'ANY' || method === 'OPTIONS') throw new Error(`apiMethods must list real methods, not ${method}`);
  }
  const names = new Set<string>();
  const routeKeys = new Set<string>();
  for (const fn of catalog.functions) {
    if (!/^[a-z][a-z0-9-]*$/.test(fn.name)) throw new Error(`function name '${fn.name}' is not a crate-style name`);
    if (names.has(fn.name)) throw new Error(`function '${fn.name}' is listed twice`);
    names.add(fn.name);
    if (fn.routes.length === 0) throw new Error(`function '${fn.name}' has no routes`);
    for (const route of fn.routes) {
      const key = routeKey(route);
      if (routeKeys.has(key)) throw new Error(`route '${key}' is listed twice`);
      routeKeys.add(key);
      if (route.authorizer !== undefined) {
        if (route.authorizer !== 'none' || fn.authorizer !== 'jwt') {
          throw new Error(`route '${key}': only a route of a function behind the JWT authorizer may be made public ('none')`);
        }
        if (route.method !== 'GET' || route.path.includes('+}')) {
          throw new Error(`route '${key}': a public route of an authorized function must be a GET of a path without a greedy variable`);
        }
      }
    }
    for (const secret of fn.secrets) {
      if (!catalog.secrets[secret]) throw new Error(`function '${fn.name}' names unknown secret '${secret}'`);
    }
    for (const action of fn.table.actions) {
      if (!/^dynamodb:[A-Z][A-Za-z]+$/.test(action)) throw new Error(`function '${fn.name}': '${action}' is not an exact DynamoDB action`);
    }
    checkUserPoolActions(fn.name, fn.userPool);
    checkPageBucket(fn.name, fn.pageBucket);
    checkFunctionUrl(fn);
  }
  const atUrls = catalog.functions.filter((fn) => fn.functionUrl);
  if (atUrls.length > 1) throw new Error(`only one function may be served at a function URL (the webhooks' one origin), got ${atUrls.map((fn) => fn.name).join(', ')}`);
  for (const t of catalog.triggers ?? []) {
    if (!/^[a-z][a-z0-9-]*$/.test(t.name)) throw new Error(`trigger name '${t.name}' is not a crate-style name`);
    if (names.has(t.name)) throw new Error(`'${t.name}' is listed twice`);
    names.add(t.name);
    if (t.event !== 'preTokenGeneration') throw new Error(`trigger '${t.name}': unknown user pool event '${t.event}'`);
    checkUserPoolActions(t.name, t.userPool);
  }
  for (const job of catalog.scheduled ?? []) {
    if (!/^[a-z][a-z0-9-]*$/.test(job.name)) throw new Error(`scheduled function name '${job.name}' is not a crate-style name`);
    if (names.has(job.name)) throw new Error(`'${job.name}' is listed twice`);
    names.add(job.name);
    if (!/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$/.test(job.schedule)) {
      throw new Error(`scheduled function '${job.name}': '${job.schedule}' is not a schedule expression`);
    }
    for (const secret of job.secrets) {
      if (!catalog.secrets[secret]) throw new Error(`scheduled function '${job.name}' names unknown secret '${secret}'`);
    }
    for (const action of job.table.actions) {
      if (!/^dynamodb:[A-Z][A-Za-z]+$/.test(action)) throw new Error(`scheduled function '${job.name}': '${action}' is not an exact DynamoDB action`);
    }
  }
  checkLive(catalog.live, names);
  return { ...catalog, triggers: catalog.triggers ?? [], scheduled: catalog.scheduled ?? [] };
}

function checkLive(live: LiveSpec | undefined, names: Set<string>): void {
  if (!live) throw new Error("the catalog has no 'live' entry (the live channel's WebSocket API and functions)");
  if (!/^[A-Za-z0-9_]+$/.test(live.stage)) throw new Error(`live.stage '${live.stage}' is not a stage name`);
  if (live.identitySource !== 'route.request.header.Sec-WebSocket-Protocol') {
    throw new Error(`live.identitySource must be the subprotocol header (the token never goes in the URL), got '${live.identitySource}'`);
  }
  const keys = live.routes.map((r) => r.key);
  for (const required of ['$connect', '$disconnect', '$default']) {
    if (!keys.includes(required)) throw new Error(`live.routes has no ${required} route`);
  }
  if (new Set(keys).size !== keys.length) throw new Error('live.routes lists a route twice');
  for (const r of live.routes) {
    if (r.authorizer && r.key !== '$connect') throw new Error(`live route ${r.key}: only $connect takes an authorizer`);
  }
  if (!live.routes.find((r) => r.key === '$connect')!.authorizer) throw new Error('live route $connect must be guarded by the authorizer');
  if (live.stream.viewType !== 'NEW_AND_OLD_IMAGES') throw new Error('live.stream.viewType must be NEW_AND_OLD_IMAGES (the push function compares both images)');
  if (live.stream.watchedKeyPrefixes.length === 0) throw new Error('live.stream.watchedKeyPrefixes is empty: the push function would hear nothing');
  for (const [role, fn] of Object.entries(live.functions)) {
    if (!/^[a-z][a-z0-9-]*$/.test(fn.name)) throw new Error(`live function '${fn.name}' is not a crate-style name`);
    if (names.has(fn.name)) throw new Error(`'${fn.name}' is listed twice`);
    names.add(fn.name);
    for (const action of fn.table.actions) {
      if (!/^dynamodb:[A-Z][A-Za-z]+$/.test(action)) throw new Error(`live ${role} '${fn.name}': '${action}' is not an exact DynamoDB action`);
      if (action === 'dynamodb:Scan') throw new Error(`live ${role} '${fn.name}' must not Scan`);
    }
  }
  if (live.functions.authorizer.table.actions.length > 0) throw new Error('the live authorizer verifies tokens only: it gets no table access');
}

function checkFunctionUrl(fn: FunctionSpec): void {
  const url = fn.functionUrl;
  if (url === undefined) return;
  if (fn.authorizer !== 'none') throw new Error(`'${fn.name}': only a public function (authorizer 'none', checking Twilio's signature) may be served at a function URL`);
  if (fn.throttle) throw new Error(`'${fn.name}': a function served at its function URL has no HTTP API route to throttle; its cap is functionUrl.reservedConcurrency`);
  if (!Number.isInteger(url.reservedConcurrency) || url.reservedConcurrency < 1) {
    throw new Error(`'${fn.name}': functionUrl.reservedConcurrency must be a whole number of at least 1, got ${url.reservedConcurrency}`);
  }
}

function checkPageBucket(name: string, access: PageBucketAccess | undefined): void {
  if (access === undefined) return;
  if (!Array.isArray(access.actions) || access.actions.length === 0) throw new Error(`'${name}': pageBucket.actions must list S3 actions`);
  for (const action of access.actions) {
    if (!/^s3:(PutObject|GetObject|DeleteObject)$/.test(action)) throw new Error(`'${name}': '${action}' is not an exact S3 object action`);
  }
  if (!/^[a-z0-9][a-z0-9-]*\/$/.test(access.prefix)) throw new Error(`'${name}': pageBucket.prefix '${access.prefix}' must be one folder ending with /`);
}

function checkUserPoolActions(name: string, access: UserPoolAccess | undefined): void {
  if (access !== undefined && (!Array.isArray(access.actions) || access.actions.length === 0)) {
    throw new Error(`'${name}': userPool.actions must list Cognito actions`);
  }
  for (const action of access?.actions ?? []) {
    if (!/^cognito-idp:[A-Z][A-Za-z]+$/.test(action)) throw new Error(`'${name}': '${action}' is not an exact Cognito user pool action`);
  }
  if (access !== undefined && new Set(access.actions).size !== access.actions.length) {
    throw new Error(`'${name}': userPool.actions lists an action twice`);
  }
}

/** The authorizer of one route: the function's, unless the route is made public on its own. */
export function routeAuthorizer(fn: FunctionSpec, route: RouteSpec): 'jwt' | 'none' {
  return route.authorizer ?? fn.authorizer;
}

/**
 * The routes as deployed on the HTTP API: an `ANY` route behind the JWT authorizer becomes one
 * route per `apiMethods` entry, so that no authorized route matches a CORS preflight (OPTIONS)
 * and API Gateway answers preflights itself. Other public routes keep `ANY`. A function served
 * at its function URL has none there.
 */
export function deployedRoutes(catalog: FunctionCatalog, fn: FunctionSpec): RouteSpec[] {
  if (fn.functionUrl) return [];
  return fn.routes.flatMap((route) =>
    routeAuthorizer(fn, route) === 'jwt' && route.method === 'ANY'
      ? catalog.apiMethods.map((method) => ({ method, path: route.path }))
      : [route],
  );
}

/** `ANY /api/crm/{proxy+}` */
export function routeKey(route: RouteSpec): string {
  return `${route.method} ${route.path}`;
}

/** `call-lists` -> `CallLists`: the base of construct ids and SAM logical ids. */
export function pascalCase(name: string): string {
  return name
    .split(/[^a-zA-Z0-9]/)
    .filter((part) => part.length > 0)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}

export function memoryOf(catalog: FunctionCatalog, fn: FunctionSpec | TriggerSpec | LiveFunctionSpec | ScheduledSpec): number {
  return fn.memoryMb ?? catalog.defaults.memoryMb;
}

export function timeoutOf(catalog: FunctionCatalog, fn: FunctionSpec | TriggerSpec | LiveFunctionSpec | ScheduledSpec): number {
  return fn.timeoutSeconds ?? catalog.defaults.timeoutSeconds;
}
