#!/usr/bin/env node
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
/**
 * CDK app entry point: one stack, settings from context (see README "Settings").
 * `-c stackName=...` deploys a second copy (e.g. a dev stack with `-c deletionProtection=false`).
 */
const aws_cdk_lib_1 = require("aws-cdk-lib");
const cxapi = __importStar(require("aws-cdk-lib/cx-api"));
const operator_console_stack_1 = require("../lib/operator-console-stack");
const app = new aws_cdk_lib_1.App();
// `-c skipBundling=true`: synth without building the Rust functions (offline checks, tests).
// The CLI refuses user context keys starting with `aws:`, so `-c aws:cdk:bundling-stacks=[]`
// cannot be passed directly; this sets that context before any stack exists.
if (/^(true|1|yes)$/i.test(String(app.node.tryGetContext('skipBundling') ?? ''))) {
    app.node.setContext(cxapi.BUNDLING_STACKS, []);
}
const stackName = app.node.tryGetContext('stackName') ?? 'OperatorConsole';
new operator_console_stack_1.OperatorConsoleStack(app, stackName, {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    ...(0, operator_console_stack_1.propsFromContext)(app.node),
});
aws_cdk_lib_1.Tags.of(app).add('app', 'operator-console');
//# sourceMappingURL=operator-console.js.map