// The one-command deploy (run as `infra/deploy`): from a clone with AWS credentials and the
// Twilio account's SID and auth token in the environment, it checks what is needed, installs
// what it can, builds the page, bootstraps CDK when the account and region are not, deploys the
// stack (the first admin from --admin-email), provisions Twilio over its REST API
// (`twilio-provision`: the TwiML App, the functions' API key, each number's voice URL, fallback
// and status callback) and stores the credentials in the stack's secret, then says what is left
// to do by hand. Re-running it changes only what drifted. `--dry-run` prints every step and
// change without making one. `--twilio-only` re-provisions Twilio for a stack already deployed
// (after buying a number, say).
//
// usage: infra/deploy --number N [--number N]… [--admin-email EMAIL] [--admin-name NAME]
//        [--stack-name NAME] [--region REGION] [-c key=value]… [--dry-run] [--twilio-only]
// environment: AWS credentials as the AWS CLI reads them; TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

const infra = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(infra, '..');
const USAGE = `usage: infra/deploy --number N [--number N]... [--admin-email EMAIL] [--admin-name NAME]
       [--stack-name NAME] [--region REGION] [-c key=value]... [--dry-run] [--twilio-only]
environment: AWS credentials (AWS_PROFILE or AWS_ACCESS_KEY_ID/...), TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN`;

/** What is left to do by hand, and why it cannot be automated. */
const MANUAL_STEPS = [
  'Japanese numbers: an approved Regulatory Bundle (Phone Numbers > Regulatory Compliance) before buying; Twilio reviews the documents by hand, so no API call can stand in for it.',
  "Voice > Settings > Geo permissions: allow Japan and every country operators call. An account-wide safety setting that Twilio's API does not expose; keep it to the countries you need (toll fraud).",
  'If the admin e-mail does not arrive: Cognito sends at most 50 messages a day from its own address; for a larger team set Amazon SES as the pool’s e-mail sender (a verified domain: DNS records only you can add).',
  'If you gave -c alarmEmail=…: confirm the subscription in the e-mail AWS sends.',
];

function fail(message, code = 1) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function options() {
  try {
    const { values } = parseArgs({
      options: {
        number: { type: 'string', multiple: true, default: [] },
        'admin-email': { type: 'string' },
        'admin-name': { type: 'string' },
        'stack-name': { type: 'string', default: 'OperatorConsole' },
        region: { type: 'string', default: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'ap-northeast-1' },
        context: { type: 'string', short: 'c', multiple: true, default: [] },
        'dry-run': { type: 'boolean', default: false },
        'twilio-only': { type: 'boolean', default: false },
        // Tests point Twilio's REST API at the simulator.
        'twilio-api-base': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
    if (values.help) fail(USAGE, 0);
    return values;
  } catch (e) {
    fail(`${e.message}\n${USAGE}`, 2);
  }
}

/** Runs a command in the foreground, its output shown; fails naming it. */
function run(step, command, args, opts = {}) {
  const r = spawnSync(command, args, { stdio: 'inherit', ...opts, env: { ...process.env, ...opts.env } });
  if (r.error) fail(`${step}: ${command} could not run: ${r.error.message}`);
  if (r.status !== 0) fail(`${step}: ${command} ${args.join(' ')} failed (exit ${r.status})`);
}

/** Runs a command and returns its stdout (stderr shown). */
function output(step, command, args, opts = {}) {
  const r = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...opts, env: { ...process.env, ...opts.env } });
  if (r.error) fail(`${step}: ${command} could not run: ${r.error.message}`);
  if (r.status !== 0) fail(`${step}: ${command} failed (exit ${r.status})`);
  return r.stdout;
}

let stepNumber = 0;
function step(title) {
  stepNumber += 1;
  process.stdout.write(`\n[${stepNumber}] ${title}\n`);
}
const say = (line) => process.stdout.write(`    ${line}\n`);

function versionAtLeast(text, [major, minor = 0]) {
  const m = /(\d+)\.(\d+)/.exec(text ?? '');
  return !!m && (Number(m[1]) > major || (Number(m[1]) === major && Number(m[2]) >= minor));
}

/** Everything missing, said at once. */
async function prerequisites(o, aws) {
  const problems = [];
  const version = (command, args = ['--version']) => spawnSync(command, args, { encoding: 'utf8' });
  if (!versionAtLeast(process.versions.node, [20])) problems.push(`Node.js 20 or later (this is ${process.versions.node})`);
  const python = version('python3');
  if (python.error || !versionAtLeast(`${python.stdout}${python.stderr}`, [3, 9])) problems.push('Python 3.9 or later as python3 (for cargo-lambda)');
  if (version('cargo').error) problems.push('Rust (cargo): install it with rustup (https://rustup.rs)');
  if (!/^AC[0-9a-f]{32}$/.test(process.env.TWILIO_ACCOUNT_SID ?? '')) problems.push('TWILIO_ACCOUNT_SID: the account SID (AC followed by 32 hexadecimal characters), from the Twilio Console home page');
  if (!/^[0-9a-f]{32}$/.test(process.env.TWILIO_AUTH_TOKEN ?? '')) problems.push("TWILIO_AUTH_TOKEN: the account's auth token (32 hexadecimal characters), from the Twilio Console home page");
  if (o.number.length === 0) problems.push('--number: at least one of the centre’s Twilio numbers (e.g. --number 03-6800-0001)');
  if (o['admin-email'] && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(o['admin-email'])) problems.push(`--admin-email: '${o['admin-email']}' is not an e-mail address`);
  let identity;
  try {
    identity = await aws.sts.send(new GetCallerIdentityCommand({}));
  } catch (e) {
    problems.push(`AWS credentials: ${e.name === 'CredentialsProviderError' ? 'none found (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)' : e.message}`);
  }
  return { problems, identity };
}

async function describeStack(aws, name) {
  try {
    const out = await aws.cloudformation.send(new DescribeStacksCommand({ StackName: name }));
    return out.Stacks?.[0];
  } catch (e) {
    if (/does not exist/.test(e.message ?? '')) return undefined;
    throw e;
  }
}

async function readSecret(aws, id) {
  try {
    const out = await aws.secrets.send(new GetSecretValueCommand({ SecretId: id }));
    return JSON.parse(out.SecretString ?? '{}');
  } catch (e) {
    if (e.name === 'ResourceNotFoundException') return undefined;
    throw e;
  }
}

function outputsOf(stack) {
  return Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
}

/** cargo-lambda and Zig for the arm64 builds, in a venv of infra/ (as the tests install their tools). */
function cargoLambdaPath() {
  const venv = join(infra, '.venv-cargo-lambda');
  if (!existsSync(join(venv, 'bin', 'cargo-lambda'))) {
    run('install cargo-lambda', 'python3', ['-m', 'venv', venv]);
    run('install cargo-lambda', join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', 'cargo-lambda==1.9.2', 'ziglang==0.17.1']);
  }
  const zig = output('find zig', join(venv, 'bin', 'python'), ['-c', 'import ziglang, os; print(os.path.dirname(ziglang.__file__))']).trim();
  return `${join(venv, 'bin')}:${zig}:${process.env.PATH}`;
}

/** Installs from the lock file when node_modules did not come from it (the stamp tests/run writes). */
function npmCi(dir) {
  const stamp = join(dir, 'node_modules', '.installed-from-lock');
  const want = createHash('sha256').update(readFileSync(join(dir, 'package-lock.json'))).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want) return;
  run(`npm ci in ${dir}`, 'npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir });
  writeFileSync(stamp, `${want}\n`);
}

async function main() {
  const o = options();
  const dry = o['dry-run'];
  const aws = {
    sts: new STSClient({ region: o.region }),
    cloudformation: new CloudFormationClient({ region: o.region }),
    secrets: new SecretsManagerClient({ region: o.region }),
  };
  process.stdout.write(`Operator console deploy${dry ? ' — dry run: nothing is changed, every change is listed' : ''}\n`);

  step('Prerequisites');
  const { problems, identity } = await prerequisites(o, aws);
  if (problems.length) fail(`Missing:\n${problems.map((p) => `  - ${p}`).join('\n')}\n${USAGE}`, 2);
  const account = identity.Account;
  say(`AWS account ${account}, region ${o.region}; Twilio account ${process.env.TWILIO_ACCOUNT_SID}`);
  const existing = await describeStack(aws, o['stack-name']);
  say(existing ? `stack ${o['stack-name']}: ${existing.StackStatus} (will be updated)` : `stack ${o['stack-name']}: not deployed yet`);
  if (!existing && !o['admin-email'] && !o['twilio-only']) fail('--admin-email: the first deploy creates the console’s first admin; give their e-mail address', 2);
  if (!existing && o['twilio-only']) fail(`--twilio-only: stack ${o['stack-name']} is not deployed in ${o.region}`, 2);

  const cdkEnv = { CDK_DEFAULT_ACCOUNT: account, CDK_DEFAULT_REGION: o.region, AWS_REGION: o.region, CDK_DISABLE_CLI_TELEMETRY: 'true' };
  const context = [`stackName=${o['stack-name']}`, ...o.context].flatMap((c) => ['-c', c]);
  let outputs = outputsOf(existing);

  if (!o['twilio-only']) {
    step('Packages and the page');
    npmCi(infra);
    npmCi(join(repo, 'static-ui'));
    run('build the page', 'npm', ['run', '--silent', 'build'], { cwd: join(repo, 'static-ui') });

    step('CDK bootstrap');
    const bootstrapped = await describeStack(aws, 'CDKToolkit');
    if (bootstrapped) say(`aws://${account}/${o.region} is bootstrapped (${bootstrapped.StackStatus})`);
    else if (dry) say(`would run: cdk bootstrap aws://${account}/${o.region}`);
    else run('cdk bootstrap', 'npx', ['--no-install', 'cdk', 'bootstrap', `aws://${account}/${o.region}`], { cwd: infra, env: cdkEnv });

    const parameters = [
      ...(o['admin-email'] ? ['--parameters', `AdminEmail=${o['admin-email']}`] : []),
      ...(o['admin-name'] ? ['--parameters', `AdminName=${o['admin-name']}`] : []),
    ];
    if (dry) {
      step('Stack (synthesised, not deployed)');
      run('compile the CDK app', 'npx', ['--no-install', 'tsc', '-p', '.'], { cwd: infra });
      const out = join(infra, 'build', 'deploy-dry-run');
      mkdirSync(out, { recursive: true });
      run('cdk synth', 'npx', ['--no-install', 'cdk', 'synth', '--app', 'node build/infra/bin/operator-console.js', '--no-lookups', '--no-notices', '--quiet', '-c', 'skipBundling=true', ...context, '--output', out], { cwd: infra, env: cdkEnv, stdio: ['ignore', 'ignore', 'inherit'] });
      const template = JSON.parse(readFileSync(join(out, `${o['stack-name']}.template.json`), 'utf8'));
      const count = (type) => Object.values(template.Resources).filter((r) => r.Type === type).length;
      say(`would build ${count('AWS::Lambda::Function')} Lambda functions for arm64 with cargo-lambda (release, LTO) and ${existing ? 'update' : 'create'} stack ${o['stack-name']}:`);
      say(`  ${count('AWS::ApiGatewayV2::Route')} API routes, ${count('AWS::DynamoDB::Table')} table, ${count('AWS::Cognito::UserPool')} user pool, ${count('AWS::CloudFront::Distribution')} distribution, ${count('AWS::CloudWatch::Alarm')} alarms`);
      say(`  parameters: ${parameters.filter((p) => p !== '--parameters').join(' ') || '(the previous values)'}`);
      if (o['admin-email']) say(`  the first admin ${o['admin-email']} is invited by e-mail (a temporary password)`);
    } else {
      step('Build every function for arm64 and deploy the stack');
      const path = cargoLambdaPath();
      const outputsFile = join(infra, 'build', 'deploy-outputs.json');
      mkdirSync(dirname(outputsFile), { recursive: true });
      run('cdk deploy', 'npx', ['--no-install', 'cdk', 'deploy', o['stack-name'], '--require-approval', 'never', '--outputs-file', outputsFile, ...parameters, ...context], {
        cwd: infra,
        env: { ...cdkEnv, PATH: path },
      });
      outputs = JSON.parse(readFileSync(outputsFile, 'utf8'))[o['stack-name']];
    }
  }

  step('Twilio: the TwiML App, the functions’ API key and each number’s voice configuration');
  // Twilio calls the webhooks at the voice function's URL (TwilioWebhookBaseUrl); a stack
  // deployed before it had one serves them on the page's origin (ApiUrl). Before a first deploy
  // neither is known yet: the plan shows stand-ins.
  const base = outputs.TwilioWebhookBaseUrl ?? outputs.ApiUrl ?? 'https://webhook-address-after-the-deploy.invalid';
  const fallback = outputs.TwilioFallbackUrl ?? `${outputs.ApiUrl ?? 'https://page-address-after-the-deploy.invalid'}/twilio/fallback.xml`;
  const secretId = outputs.TwilioSecretName ?? `${o['stack-name']}/twilio`;
  const current = existing || outputs.TwilioSecretName ? await readSecret(aws, secretId) : undefined;
  const provisionArgs = [
    'run', '--quiet', '-p', 'local', '--bin', 'twilio-provision', '--',
    '--account-sid', process.env.TWILIO_ACCOUNT_SID,
    '--api-base-url', base,
    '--fallback-url', fallback,
    ...o.number.flatMap((n) => ['--number', n]),
    ...(/^SK[0-9a-f]{32}$/.test(current?.api_key_sid ?? '') ? ['--current-api-key', current.api_key_sid] : []),
    ...(o['twilio-api-base'] ? ['--twilio-api-base', o['twilio-api-base']] : []),
    ...(dry ? ['--dry-run'] : []),
  ];
  const provisioned = JSON.parse(output('twilio-provision', 'cargo', provisionArgs, { cwd: repo }));
  if (provisioned.plan.length === 0) say('already right: nothing to change');
  for (const s of provisioned.plan) {
    const what = s.phone_number ?? s.friendly_name ?? '';
    say(`${dry ? 'would ' : ''}${s.action.replace(/_/g, ' ')} ${what}${s.reason ? ` (${s.reason})` : ''}`);
    for (const c of s.changes ?? []) say(`    ${c.field}: ${c.from ?? '(none)'} → ${c.to ?? '(none)'}`);
  }
  if (!dry) say(`${provisioned.writes} write(s) to Twilio`);

  step('The functions’ secret');
  const keys = ['account_sid', 'auth_token', 'api_key_sid', 'api_key_secret', 'twiml_app_sid'];
  if (dry) {
    say(`would store ${keys.join(', ')} in ${secretId}${current ? ' (replacing what is there)' : ''}`);
  } else {
    const next = { ...(current ?? {}), ...provisioned.secret, auth_token: process.env.TWILIO_AUTH_TOKEN };
    delete next.auth_token_secondary;
    const missing = keys.filter((k) => !next[k]);
    if (missing.length) fail(`the secret would miss ${missing.join(', ')}: the API key secret is shown by Twilio only when the key is created; delete the key in the Twilio Console and run again`);
    const changed = JSON.stringify(next) !== JSON.stringify(current);
    if (changed) await aws.secrets.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(next) }));
    say(changed ? `stored in ${secretId}; the functions read it at their next start (within minutes)` : `${secretId} is already right`);
  }

  step('Done');
  if (outputs.PageUrl) say(`the console: ${outputs.PageUrl}`);
  if (o['admin-email']) say(`${o['admin-email']} receives a temporary password by e-mail; they sign in there, choose a password, register an authenticator app and invite the others in 管理画面 → ユーザー管理`);
  say('left to do by hand:');
  for (const m of MANUAL_STEPS) say(`  - ${m}`);
}

main().catch((e) => fail(e.stack ?? String(e)));
