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
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * functions.json is the contract between the Rust routers, the CDK stack and the SAM template:
 * these tests keep it self-consistent and true to the architecture's rules.
 */
const strict_1 = __importDefault(require("node:assert/strict"));
const fs = __importStar(require("node:fs"));
const os = __importStar(require("node:os"));
const path = __importStar(require("node:path"));
const node_test_1 = require("node:test");
const function_catalog_1 = require("../lib/function-catalog");
const helpers_1 = require("./helpers");
(0, node_test_1.describe)('functions.json', () => {
    (0, node_test_1.it)('names every crate functions/<name> with a package and binary of the same name', () => {
        for (const fn of helpers_1.catalog.functions) {
            strict_1.default.equal(fn.crateDir, `functions/${fn.name}`, fn.name);
            strict_1.default.equal(fn.package, fn.name, fn.name);
        }
    });
    (0, node_test_1.it)('lists the nine functions of the architecture', () => {
        strict_1.default.deepEqual(helpers_1.catalog.functions.map((fn) => fn.name).sort(), ['calls', 'crm', 'dial-lists', 'history', 'memos', 'operators', 'settings', 'token', 'voice']);
    });
    (0, node_test_1.it)('puts the JWT authorizer on every /api route and none on /twilio routes', () => {
        for (const fn of helpers_1.catalog.functions) {
            for (const route of fn.routes) {
                if (route.path.startsWith('/api/'))
                    strict_1.default.equal(fn.authorizer, 'jwt', (0, function_catalog_1.routeKey)(route));
                else if (route.path.startsWith('/twilio/'))
                    strict_1.default.equal(fn.authorizer, 'none', (0, function_catalog_1.routeKey)(route));
                else
                    strict_1.default.fail(`route ${(0, function_catalog_1.routeKey)(route)} is neither /api/ nor /twilio/`);
            }
        }
    });
    (0, node_test_1.it)('gives Twilio credentials only to the functions that talk to Twilio', () => {
        const withSecret = helpers_1.catalog.functions.filter((fn) => fn.secrets.includes('twilio')).map((fn) => fn.name);
        strict_1.default.deepEqual(withSecret.sort(), ['calls', 'dial-lists', 'operators', 'token', 'voice']);
    });
    (0, node_test_1.it)('grants exact DynamoDB actions only, never Scan, and only existing indexes', () => {
        for (const fn of helpers_1.catalog.functions) {
            strict_1.default.ok(fn.table.actions.length > 0, fn.name);
            for (const action of fn.table.actions) {
                strict_1.default.match(action, /^dynamodb:[A-Z][A-Za-z]+$/, `${fn.name}: ${action}`);
                strict_1.default.notEqual(action, 'dynamodb:Scan', `${fn.name} must not Scan`);
            }
            for (const index of fn.table.indexes)
                strict_1.default.ok(['GSI1', 'GSI2'].includes(index), `${fn.name}: ${index}`);
            if (fn.table.indexes.length > 0)
                strict_1.default.ok(fn.table.actions.includes('dynamodb:Query'), fn.name);
        }
    });
    (0, node_test_1.it)('keeps memory small (128-256 MB) and timeouts under the API Gateway limit of 30 s', () => {
        for (const fn of helpers_1.catalog.functions) {
            const memory = fn.memoryMb ?? helpers_1.catalog.defaults.memoryMb;
            const timeout = fn.timeoutSeconds ?? helpers_1.catalog.defaults.timeoutSeconds;
            strict_1.default.ok(memory >= 128 && memory <= 256, `${fn.name}: ${memory} MB`);
            strict_1.default.ok(timeout > 0 && timeout < 30, `${fn.name}: ${timeout} s`);
        }
    });
    (0, node_test_1.it)('lists the keys of the Twilio secret the functions read', () => {
        strict_1.default.deepEqual(helpers_1.catalog.secrets.twilio.keys, ['account_sid', 'api_key_sid', 'api_key_secret', 'auth_token', 'twiml_app_sid']);
        strict_1.default.equal(helpers_1.catalog.secrets.twilio.env, 'TWILIO_SECRET_ARN');
    });
    (0, node_test_1.it)('rejects a catalog that lists a route twice', () => {
        const broken = JSON.parse(fs.readFileSync(function_catalog_1.CATALOG_PATH, 'utf8'));
        broken.functions[1].routes.push(broken.functions[0].routes[0]);
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-')), 'functions.json');
        fs.writeFileSync(file, JSON.stringify(broken));
        strict_1.default.throws(() => (0, function_catalog_1.loadCatalog)(file), /listed twice/);
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
    });
});
//# sourceMappingURL=catalog.test.js.map