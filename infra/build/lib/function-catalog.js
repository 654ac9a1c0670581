"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
exports.CATALOG_PATH = exports.INFRA_ROOT = void 0;
exports.loadCatalog = loadCatalog;
exports.routeKey = routeKey;
exports.pascalCase = pascalCase;
exports.memoryOf = memoryOf;
exports.timeoutOf = timeoutOf;
/**
 * Typed access to `infra/functions.json`, the one list of Lambda functions, their routes and
 * their permissions. The CDK stack builds from it; the tests check the CDK template, the SAM
 * template and (on the Rust side) the routers against it, so none of them can drift.
 */
const fs = __importStar(require("node:fs"));
const path = __importStar(require("node:path"));
/** The folder holding `functions.json` (the infra root), found from this file upwards. */
exports.INFRA_ROOT = findInfraRoot(__dirname);
/** Path of the catalog file. */
exports.CATALOG_PATH = path.join(exports.INFRA_ROOT, 'functions.json');
function findInfraRoot(start) {
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
function loadCatalog(file = exports.CATALOG_PATH) {
    const catalog = JSON.parse(fs.readFileSync(file, 'utf8'));
    const names = new Set();
    const routeKeys = new Set();
    for (const fn of catalog.functions) {
        if (!/^[a-z][a-z0-9-]*$/.test(fn.name))
            throw new Error(`function name '${fn.name}' is not a crate-style name`);
        if (names.has(fn.name))
            throw new Error(`function '${fn.name}' is listed twice`);
        names.add(fn.name);
        if (fn.routes.length === 0)
            throw new Error(`function '${fn.name}' has no routes`);
        for (const route of fn.routes) {
            const key = routeKey(route);
            if (routeKeys.has(key))
                throw new Error(`route '${key}' is listed twice`);
            routeKeys.add(key);
        }
        for (const secret of fn.secrets) {
            if (!catalog.secrets[secret])
                throw new Error(`function '${fn.name}' names unknown secret '${secret}'`);
        }
        for (const action of fn.table.actions) {
            if (!/^dynamodb:[A-Z][A-Za-z]+$/.test(action))
                throw new Error(`function '${fn.name}': '${action}' is not an exact DynamoDB action`);
        }
    }
    return catalog;
}
/** `ANY /api/crm/{proxy+}` */
function routeKey(route) {
    return `${route.method} ${route.path}`;
}
/** `dial-lists` -> `DialLists`: the base of construct ids and SAM logical ids. */
function pascalCase(name) {
    return name
        .split(/[^a-zA-Z0-9]/)
        .filter((part) => part.length > 0)
        .map((part) => part[0].toUpperCase() + part.slice(1))
        .join('');
}
function memoryOf(catalog, fn) {
    return fn.memoryMb ?? catalog.defaults.memoryMb;
}
function timeoutOf(catalog, fn) {
    return fn.timeoutSeconds ?? catalog.defaults.timeoutSeconds;
}
//# sourceMappingURL=function-catalog.js.map