/**
 * The linters' verdicts as tests: cfn-lint on the synthesized CDK template (only W3005 ignored:
 * CDK writes DependsOn edges that a GetAtt already implies, which is harmless) and
 * `sam validate --lint` on the SAM template. scripts/test.sh installs both into venvs and points
 * CFN_LINT / SAM_CLI / CDK_TEMPLATE here; run alone, the tests look in those venvs and lint an
 * in-process synth.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { INFRA_ROOT } from '../lib/function-catalog';
import { defaultStack, SAM_TEMPLATE, tempDir } from './helpers';

const CFN_LINT = process.env.CFN_LINT ?? path.join(INFRA_ROOT, '.venv-cfnlint', 'bin', 'cfn-lint');
const SAM_CLI = process.env.SAM_CLI ?? path.join(INFRA_ROOT, '.venv-sam', 'bin', 'sam');
/** Only this check is ignored; see the file comment and README. */
const IGNORED_CFN_LINT_CHECKS = ['W3005'];

function requireTool(tool: string): void {
  assert.ok(fs.existsSync(tool), `${tool} is missing: run infra/scripts/test.sh (it installs cfn-lint and the SAM CLI)`);
}

function cdkTemplateFile(): string {
  if (process.env.CDK_TEMPLATE) return process.env.CDK_TEMPLATE;
  const file = path.join(tempDir('cfn-lint-'), 'OperatorConsole.template.json');
  fs.writeFileSync(file, JSON.stringify(defaultStack().json, null, 1));
  return file;
}

function run(command: string, args: string[], cwd: string) {
  const env = { ...process.env, SAM_CLI_TELEMETRY: '0', AWS_REGION: 'ap-northeast-1', AWS_DEFAULT_REGION: 'ap-northeast-1', AWS_EC2_METADATA_DISABLED: 'true' };
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 180_000 });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

describe('linters', () => {
  it('cfn-lint finds nothing in the CDK template (W3005 ignored)', () => {
    requireTool(CFN_LINT);
    const template = cdkTemplateFile();
    const { status, output } = run(CFN_LINT, ['--ignore-checks', ...IGNORED_CFN_LINT_CHECKS, '--', template], INFRA_ROOT);
    assert.equal(status, 0, `cfn-lint ${template}:\n${output}`);
  });

  it('sam validate --lint accepts the SAM template', () => {
    requireTool(SAM_CLI);
    // Run from sam/ so the CLI does not mistake infra/ (cdk.json) for a CDK project.
    const { status, output } = run(SAM_CLI, ['validate', '--lint', '--template-file', path.basename(SAM_TEMPLATE)], path.dirname(SAM_TEMPLATE));
    assert.equal(status, 0, `sam validate --lint:\n${output}`);
    assert.match(output, /is a valid SAM Template/);
  });
});
