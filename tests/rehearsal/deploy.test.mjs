// The one-command deploy (infra/deploy) against what can stand in for AWS and Twilio here: moto
// as the AWS account (STS, CloudFormation, Secrets Manager) and the Twilio simulator as the
// Twilio account. A dry run prints every step and change and changes nothing; `--twilio-only`
// on a deployed stack provisions Twilio and stores the secret, and a second run changes nothing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CreateSecretCommand, GetSecretValueCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { freePort, repoRoot } from './lib/rehearsal.mjs';
import { targetDir } from './lib/stacks.mjs';

const REGION = 'ap-northeast-1';
const NUMBER = '+81368000001';

function start(command, args, env = {}) {
  const p = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  p.stdout.on('data', (b) => (out += b));
  p.stderr.on('data', (b) => (out += b));
  p.output = () => out;
  return p;
}

/** Runs infra/deploy to its end; returns its exit status and what it printed. */
function deploy(args, env) {
  return new Promise((resolve) => {
    const p = start(join(repoRoot, 'infra', 'deploy'), args, env);
    p.on('exit', (code) => resolve({ code, out: p.output() }));
  });
}

describe('infra/deploy', { timeout: 600_000 }, () => {
  let moto;
  let sim;
  let account;
  let env;
  let aws;
  const work = mkdtempSync(join(tmpdir(), 'console-deploy-'));

  const twilioWrites = async () => {
    const log = await (await fetch(`${sim.url}/sim/requests`)).json();
    return log.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
  };

  before(async () => {
    const motoPort = await freePort();
    const python = process.env.TEST_TOOLS_PYTHON ?? join(repoRoot, 'tests', '.tools', 'venv', 'bin', 'python');
    moto = start(python, [join(repoRoot, 'tests', 'tools', 'dynamodb_server.py'), '127.0.0.1', String(motoPort)]);
    const endpoint = `http://127.0.0.1:${motoPort}`;
    for (let i = 0; i < 150; i++) {
      try {
        await fetch(`${endpoint}/moto-api/`);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const simBinary = join(targetDir, 'debug', 'twilio-sim');
    assert.ok(existsSync(simBinary), `${simBinary} is built (tests/rehearse builds it)`);
    const simProcess = start(simBinary, ['--public-url', 'https://console.example.jp', '--default-to', NUMBER]);
    account = await new Promise((resolve, reject) => {
      simProcess.stdout.on('data', () => {
        const line = simProcess.output().split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line));
      });
      simProcess.on('exit', (c) => reject(new Error(`twilio-sim exited ${c}: ${simProcess.output()}`)));
    });
    sim = { process: simProcess, url: account.url };
    // The console's number exists in the Twilio account (a call to it registers it, as when bought).
    await fetch(`${sim.url}/sim/calls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: '03-1234-5678', to: NUMBER }) });
    env = {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'deploy-test',
      AWS_SECRET_ACCESS_KEY: 'deploy-test',
      AWS_REGION: REGION,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      TWILIO_ACCOUNT_SID: account.account_sid,
      TWILIO_AUTH_TOKEN: account.auth_token,
      NODE_NO_WARNINGS: '1',
    };
    const config = { endpoint, region: REGION, credentials: { accessKeyId: 'deploy-test', secretAccessKey: 'deploy-test' } };
    aws = { cloudformation: new CloudFormationClient(config), secrets: new SecretsManagerClient(config) };
  });

  after(() => {
    moto?.kill('SIGKILL');
    sim?.process.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  test('a dry run names what is missing first, all at once', async () => {
    const { code, out } = await deploy(['--dry-run'], { ...env, TWILIO_AUTH_TOKEN: 'not-a-token' });
    assert.equal(code, 2, out);
    assert.match(out, /TWILIO_AUTH_TOKEN: the account's auth token/);
    assert.match(out, /--number: at least one/);
  });

  test('a dry run on a fresh account prints every step and change, and changes nothing on AWS or Twilio', async () => {
    const { code, out } = await deploy(['--dry-run', '--admin-email', 'admin@example.jp', '--number', '03-6800-0001', '--twilio-api-base', sim.url], env);
    assert.equal(code, 0, out);
    for (const expected of [
      /stack OperatorConsole: not deployed yet/,
      /would run: cdk bootstrap aws:\/\/\d{12}\/ap-northeast-1/,
      /would build \d+ Lambda functions for arm64/,
      /AdminEmail=admin@example\.jp/,
      /would (create|update) application Operator console/,
      /VoiceUrl: .* → https:\/\/webhook-address-after-the-deploy\.invalid\/twilio\/voice\/outbound/,
      /would create api key/,
      /would update number \+81368000001/,
      /StatusCallback: .* → https:\/\/webhook-address-after-the-deploy\.invalid\/twilio\/voice\/status#rc=3&rp=ct,rt,5xx/,
      /would store account_sid, auth_token, api_key_sid, api_key_secret, twiml_app_sid/,
      /Regulatory Bundle/,
      /Geo permissions/,
    ]) {
      assert.match(out, expected);
    }
    assert.deepEqual(await twilioWrites(), [], 'no write to Twilio');
    assert.equal((await aws.secrets.send(new ListSecretsCommand({}))).SecretList.length, 0, 'no secret stored');
    await assert.rejects(aws.cloudformation.send(new DescribeStacksCommand({ StackName: 'OperatorConsole' })), /does not exist/);
  });

  test('--twilio-only on a deployed stack provisions Twilio and stores the secret; a second run changes nothing', async () => {
    // A deployed stack: its outputs and its placeholder secret, as the CDK app leaves them.
    const page = 'https://d111111abcdef8.cloudfront.net';
    const hooks = 'https://q3xk7v2mdl5wq4gxsiy6nn7hbu0ojzcf.lambda-url.ap-northeast-1.on.aws';
    await aws.secrets.send(new CreateSecretCommand({ Name: 'OperatorConsole/twilio', SecretString: JSON.stringify({ account_sid: '', api_key_sid: '', api_key_secret: '', twiml_app_sid: '', auth_token: 'PlaceholderPlaceholderPlaceholde' }) }));
    await aws.cloudformation.send(
      new CreateStackCommand({
        StackName: 'OperatorConsole',
        TemplateBody: JSON.stringify({
          Resources: { Topic: { Type: 'AWS::SNS::Topic' } },
          Outputs: {
            PageUrl: { Value: `${page}/` },
            ApiUrl: { Value: page },
            TwilioWebhookBaseUrl: { Value: hooks },
            TwilioFallbackUrl: { Value: `${page}/twilio/fallback.xml` },
            TwilioSecretName: { Value: 'OperatorConsole/twilio' },
          },
        }),
      }),
    );

    const first = await deploy(['--twilio-only', '--number', '03-6800-0001', '--twilio-api-base', sim.url], env);
    assert.equal(first.code, 0, first.out);
    const writes = await twilioWrites();
    assert.ok(writes.length >= 3, `the app, the key and the number: ${writes.join(', ')}`);
    const stored = JSON.parse((await aws.secrets.send(new GetSecretValueCommand({ SecretId: 'OperatorConsole/twilio' }))).SecretString);
    assert.equal(stored.account_sid, account.account_sid);
    assert.equal(stored.auth_token, account.auth_token);
    assert.match(stored.api_key_sid, /^SK[0-9a-f]{32}$/);
    assert.ok(stored.api_key_secret, 'the new key’s secret, shown once, is kept');
    assert.match(stored.twiml_app_sid, /^AP[0-9a-f]{32}$/);
    const numbers = (await (await fetch(`${sim.url}/sim/state`)).json()).incoming_phone_numbers;
    assert.match(JSON.stringify(numbers), /q3xk7v2mdl5wq4gxsiy6nn7hbu0ojzcf\.lambda-url\.ap-northeast-1\.on\.aws\/twilio\/voice\/incoming/, 'the number calls the voice function URL');
    assert.match(JSON.stringify(numbers), /d111111abcdef8\.cloudfront\.net\/twilio\/fallback\.xml/, 'and falls back to the static TwiML on the page origin');

    const second = await deploy(['--twilio-only', '--number', '03-6800-0001', '--twilio-api-base', sim.url], env);
    assert.equal(second.code, 0, second.out);
    assert.match(second.out, /already right: nothing to change/);
    assert.match(second.out, /OperatorConsole\/twilio is already right/);
    assert.deepEqual(await twilioWrites(), writes, 'the second run wrote nothing to Twilio');
  });
});
