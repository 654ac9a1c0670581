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
  readonly memoryMb?: number;
  readonly timeoutSeconds?: number;
}

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

export interface SecretSpec {
  /** Environment variable that carries the secret's ARN (never its value). */
  readonly env: string;
  readonly description: string;
  /** JSON keys of the secret value. */
  readonly keys: string[];
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
  readonly functions: FunctionSpec[];
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
    }
    for (const secret of fn.secrets) {
      if (!catalog.secrets[secret]) throw new Error(`function '${fn.name}' names unknown secret '${secret}'`);
    }
    for (const action of fn.table.actions) {
      if (!/^dynamodb:[A-Z][A-Za-z]+$/.test(action)) throw new Error(`function '${fn.name}': '${action}' is not an exact DynamoDB action`);
    }
    checkUserPoolActions(fn.name, fn.userPool);
  }
  for (const t of catalog.triggers ?? []) {
    if (!/^[a-z][a-z0-9-]*$/.test(t.name)) throw new Error(`trigger name '${t.name}' is not a crate-style name`);
    if (names.has(t.name)) throw new Error(`'${t.name}' is listed twice`);
    names.add(t.name);
    if (t.event !== 'preTokenGeneration') throw new Error(`trigger '${t.name}': unknown user pool event '${t.event}'`);
    checkUserPoolActions(t.name, t.userPool);
  }
  return { ...catalog, triggers: catalog.triggers ?? [] };
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

/**
 * The routes as deployed: an `ANY` route behind the JWT authorizer becomes one route per
 * `apiMethods` entry, so that no authorized route matches a CORS preflight (OPTIONS) and API
 * Gateway answers preflights itself. Public routes (Twilio webhooks) keep `ANY`.
 */
export function deployedRoutes(catalog: FunctionCatalog, fn: FunctionSpec): RouteSpec[] {
  return fn.routes.flatMap((route) =>
    fn.authorizer === 'jwt' && route.method === 'ANY'
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

export function memoryOf(catalog: FunctionCatalog, fn: FunctionSpec | TriggerSpec): number {
  return fn.memoryMb ?? catalog.defaults.memoryMb;
}

export function timeoutOf(catalog: FunctionCatalog, fn: FunctionSpec | TriggerSpec): number {
  return fn.timeoutSeconds ?? catalog.defaults.timeoutSeconds;
}
