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
 * The linters' verdicts as tests: cfn-lint on the synthesized CDK template (only W3005 ignored:
 * CDK writes DependsOn edges that a GetAtt already implies, which is harmless) and
 * `sam validate --lint` on the SAM template. scripts/test.sh installs both into venvs and points
 * CFN_LINT / SAM_CLI / CDK_TEMPLATE here; run alone, the tests look in those venvs and lint an
 * in-process synth.
 */
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const fs = __importStar(require("node:fs"));
const path = __importStar(require("node:path"));
const node_test_1 = require("node:test");
const function_catalog_1 = require("../lib/function-catalog");
const helpers_1 = require("./helpers");
const CFN_LINT = process.env.CFN_LINT ?? path.join(function_catalog_1.INFRA_ROOT, '.venv-cfnlint', 'bin', 'cfn-lint');
const SAM_CLI = process.env.SAM_CLI ?? path.join(function_catalog_1.INFRA_ROOT, '.venv-sam', 'bin', 'sam');
/** Only this check is ignored; see the file comment and README. */
const IGNORED_CFN_LINT_CHECKS = ['W3005'];
function requireTool(tool) {
    strict_1.default.ok(fs.existsSync(tool), `${tool} is missing: run infra/scripts/test.sh (it installs cfn-lint and the SAM CLI)`);
}
function cdkTemplateFile() {
    if (process.env.CDK_TEMPLATE)
        return process.env.CDK_TEMPLATE;
    const file = path.join((0, helpers_1.tempDir)('cfn-lint-'), 'OperatorConsole.template.json');
    fs.writeFileSync(file, JSON.stringify((0, helpers_1.defaultStack)().json, null, 1));
    return file;
}
function run(command, args, cwd) {
    const env = { ...process.env, SAM_CLI_TELEMETRY: '0', AWS_REGION: 'ap-northeast-1', AWS_DEFAULT_REGION: 'ap-northeast-1', AWS_EC2_METADATA_DISABLED: 'true' };
    const result = (0, node_child_process_1.spawnSync)(command, args, { cwd, env, encoding: 'utf8', timeout: 180_000 });
    return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}
(0, node_test_1.describe)('linters', () => {
    (0, node_test_1.it)('cfn-lint finds nothing in the CDK template (W3005 ignored)', () => {
        requireTool(CFN_LINT);
        const template = cdkTemplateFile();
        const { status, output } = run(CFN_LINT, ['--ignore-checks', ...IGNORED_CFN_LINT_CHECKS, '--', template], function_catalog_1.INFRA_ROOT);
        strict_1.default.equal(status, 0, `cfn-lint ${template}:\n${output}`);
    });
    (0, node_test_1.it)('sam validate --lint accepts the SAM template', () => {
        requireTool(SAM_CLI);
        // Run from sam/ so the CLI does not mistake infra/ (cdk.json) for a CDK project.
        const { status, output } = run(SAM_CLI, ['validate', '--lint', '--template-file', path.basename(helpers_1.SAM_TEMPLATE)], path.dirname(helpers_1.SAM_TEMPLATE));
        strict_1.default.equal(status, 0, `sam validate --lint:\n${output}`);
        strict_1.default.match(output, /is a valid SAM Template/);
    });
});
//# sourceMappingURL=lint.test.js.map