/**
 * The live channel (see shared/src/push.rs for the protocol and why it is built this way): an
 * API Gateway WebSocket API, stage `live`, served on the page's own origin at `/live` by the
 * distribution. `$connect` is guarded by a Lambda REQUEST authorizer reading the ID token from
 * the `bearer.<token>` subprotocol of `Sec-WebSocket-Protocol`; the `live` function stores and
 * forgets connections and answers `subscribe` and `$default` through route responses; the
 * `push` function reads the table's stream (NEW_AND_OLD_IMAGES) with bisection and partial batch
 * failures, and posts each change to the connections that may hear it, with
 * `execute-api:ManageConnections` on this API's stage only.
 *
 * Built in two steps: the API first (the distribution needs its host for the `/live` origin),
 * then its functions (which need the page's origin, known once the distribution exists).
 */
import { Aws, Duration, Fn } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { LiveFunctionSpec, LiveSpec, loadCatalog } from './function-catalog';

export type { LiveFunctionSpec };

/** The live channel as `infra/functions.json` describes it (its `live` entry). */
export const LIVE: LiveSpec = loadCatalog().live;

/** The stage: also the path of the channel on the page's origin (`/live`). */
export const LIVE_STAGE = LIVE.stage;

/** The header the authorizer reads (the token travels as a subprotocol, never in the URL). */
export const LIVE_IDENTITY_SOURCE = LIVE.identitySource;

/**
 * The table items whose changes the push function hears (the stream's other records are filtered
 * out by the event source mapping and cost no invocation): settings, the queue, a day's figures,
 * operators, calls and their memos. Kept in step with `shared::push::watches`.
 */
export const WATCHED_KEY_PREFIXES = LIVE.stream.watchedKeyPrefixes;

/** The three functions, in the workspace crates `functions/live` (two binaries) and `functions/push`. */
export const LIVE_FUNCTIONS = LIVE.functions;

export interface LiveChannelFunctions {
  /** The single table, with its stream on (NEW_AND_OLD_IMAGES). */
  readonly table: dynamodb.Table;
  /** Builds one of {@link LIVE_FUNCTIONS} with the stack's shared function settings. */
  readonly build: (spec: LiveFunctionSpec, environment: Record<string, string>) => lambda.Function;
  /** The environment every function of the stack gets (TABLE_NAME, PUBLIC_BASE_URL, …). */
  readonly environment: Record<string, string>;
  /** The user pool's issuer URL and the page's app client: the tokens the authorizer accepts. */
  readonly issuer: string;
  readonly audience: string;
  /** Connections and messages a second this stage accepts. */
  readonly rateLimit?: number;
  readonly burstLimit?: number;
}

export class LiveChannel extends Construct {
  public readonly api: apigwv2.WebSocketApi;
  public readonly functions: Partial<Record<keyof typeof LIVE_FUNCTIONS, lambda.Function>> = {};
  public stage?: apigwv2.WebSocketStage;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.api = new apigwv2.WebSocketApi(this, 'LiveApi', {
      apiName: `${Aws.STACK_NAME}-live`,
      description: 'Operator console live channel: changes pushed to the page (subprotocol console.v1)',
      routeSelectionExpression: '$request.body.action',
    });
  }

  /** The API's host, the distribution's origin for `/live`. */
  get originDomain(): string {
    return Fn.join('', [this.api.apiId, '.execute-api.', Aws.REGION, '.', Aws.URL_SUFFIX]);
  }

  /** The stage's management endpoint, where the push function posts. */
  get managementEndpoint(): string {
    return Fn.join('', ['https://', this.originDomain, `/${LIVE_STAGE}`]);
  }

  /** Adds the functions, routes, authorizer, stage and the stream's event source. */
  attach(props: LiveChannelFunctions): void {
    const routesFn = props.build(LIVE_FUNCTIONS.routes, { ...props.environment });
    const authorizerFn = props.build(LIVE_FUNCTIONS.authorizer, {
      RUST_LOG: props.environment.RUST_LOG ?? 'info',
      JWT_ISSUER: props.issuer,
      JWT_AUDIENCE: props.audience,
    });
    const pushFn = props.build(LIVE_FUNCTIONS.push, { ...props.environment, LIVE_ENDPOINT: this.managementEndpoint });
    this.functions.routes = routesFn;
    this.functions.authorizer = authorizerFn;
    this.functions.push = pushFn;

    // What each may do on the table comes from the catalog: the routes store, read and forget
    // connections by key; the push function reads the audiences and forgets closed connections.
    for (const [role, fn] of [['routes', routesFn], ['push', pushFn]] as const) {
      const actions = LIVE_FUNCTIONS[role].table.actions;
      if (actions.length === 0) continue;
      fn.addToRolePolicy(
        new iam.PolicyStatement({ sid: role === 'routes' ? 'LiveConnections' : 'LiveAudiences', actions, resources: [props.table.tableArn] }),
      );
    }

    const authorizer = new WebSocketLambdaAuthorizer('LiveAuthorizer', authorizerFn, {
      authorizerName: 'live-subprotocol-token',
      identitySource: [LIVE_IDENTITY_SOURCE],
    });
    for (const route of LIVE.routes) {
      const id = `Live${routeIdPart(route.key)}Integration`;
      this.api.addRoute(route.key, {
        integration: new WebSocketLambdaIntegration(id, routesFn),
        authorizer: route.authorizer ? authorizer : undefined,
        returnResponse: route.returnResponse,
      });
    }

    this.stage = new apigwv2.WebSocketStage(this, 'LiveStage', {
      webSocketApi: this.api,
      stageName: LIVE_STAGE,
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit ?? LIVE.throttle.rateLimit, burstLimit: props.burstLimit ?? LIVE.throttle.burstLimit },
    });
    // PostToConnection on this stage's connections only.
    pushFn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'LiveManageConnections',
        actions: ['execute-api:ManageConnections'],
        resources: [
          Fn.join('', ['arn:', Aws.PARTITION, ':execute-api:', Aws.REGION, ':', Aws.ACCOUNT_ID, ':', this.api.apiId, `/${LIVE_STAGE}/POST/@connections/*`]),
        ],
      }),
    );

    pushFn.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition[LIVE.stream.startingPosition],
        batchSize: LIVE.stream.batchSize,
        maxBatchingWindow: Duration.seconds(LIVE.stream.maximumBatchingWindowSeconds),
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: LIVE.stream.retryAttempts,
        // A change older than this is not worth showing: the page reads everything after a reconnect.
        maxRecordAge: Duration.seconds(LIVE.stream.maximumRecordAgeSeconds),
        filters: WATCHED_KEY_PREFIXES.map((prefix) =>
          lambda.FilterCriteria.filter({ dynamodb: { Keys: { PK: { S: lambda.FilterRule.beginsWith(prefix) } } } }),
        ),
      }),
    );
  }
}

/** `$connect` -> `Connect`, `subscribe` -> `Subscribe`: construct ids of the routes' integrations. */
function routeIdPart(key: string): string {
  const bare = key.replace(/^\$/, '');
  return bare[0].toUpperCase() + bare.slice(1);
}
