#!/usr/bin/env node
/**
 * CDK app entry point: one stack, settings from context (see README "Settings").
 * `-c stackName=...` deploys a second copy (e.g. a dev stack with `-c deletionProtection=false`).
 */
import { App, Tags } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { OperatorConsoleStack, propsFromContext } from '../lib/operator-console-stack';

const app = new App();
// `-c skipBundling=true`: synth without building the Rust functions (offline checks, tests).
// The CLI refuses user context keys starting with `aws:`, so `-c aws:cdk:bundling-stacks=[]`
// cannot be passed directly; this sets that context before any stack exists.
if (/^(true|1|yes)$/i.test(String(app.node.tryGetContext('skipBundling') ?? ''))) {
  app.node.setContext(cxapi.BUNDLING_STACKS, []);
}
const stackName: string = app.node.tryGetContext('stackName') ?? 'OperatorConsole';

new OperatorConsoleStack(app, stackName, {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  ...propsFromContext(app.node),
});
Tags.of(app).add('app', 'operator-console');
