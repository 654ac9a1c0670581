/**
 * The whole deployed operator console in one stack: the DynamoDB single table, the Twilio
 * credentials secret, the Cognito user pool, the page on S3 + CloudFront (with the static
 * fallback TwiML), the HTTP API with one Rust Lambda per `functions/*` crate, Twilio's webhooks
 * at the voice function's own function URL, and the alarms.
 *
 * Which functions exist, which routes they answer and what each may touch comes from
 * `infra/functions.json` (see `function-catalog.ts`); this file only turns that list into
 * resources. Shared function settings live in one place (`sharedFunctionSettings`), and every
 * grant is made per function from its catalog entry, so no function gets more than it lists.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Annotations,
  Aws,
  CfnCondition,
  CfnOutput,
  CfnParameter,
  Duration,
  Fn,
  RemovalPolicy,
  SecretValue,
  Stack,
  StackProps,
  Token,
} from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { RustFunction } from 'cargo-lambda-cdk';
import { LIVE_STAGE, LiveChannel } from './live-channel';
import { Construct, Node } from 'constructs';
import type { PageConfig } from '../../static-ui/src/config-contract';
import {
  deployedRoutes,
  routeAuthorizer,
  routeKey,
  FunctionCatalog,
  FunctionSpec,
  INFRA_ROOT,
  LOG_METRIC_NAMESPACE,
  LiveFunctionSpec,
  loadCatalog,
  memoryOf,
  ScheduledSpec,
  TriggerSpec,
  pascalCase,
  regionFunctionUrls,
  timeoutOf,
  USER_POOL_ENV,
  PAGE_BUCKET_ENV,
} from './function-catalog';

/** Names of the two GSIs; the Rust store adapter uses the same names. */
export const GSI_NAMES = ['GSI1', 'GSI2'] as const;

/** Roles an operator can have; one Cognito group each. Lower precedence wins. */
export const OPERATOR_GROUPS = [
  { name: 'admin', precedence: 10, description: 'Administrators: settings, operators, lines, call lists' },
  { name: 'supervisor', precedence: 20, description: 'Supervisors: monitoring and everything an operator does' },
  { name: 'operator', precedence: 30, description: 'Operators: take and place calls' },
] as const;

/** The template metadata key naming the cargo binary a function runs. */
export const CARGO_BINARY_METADATA = 'cargo-lambda:binary';

/** Manifest used for crates that do not exist yet when bundling is skipped (see its comments). */
const PLACEHOLDER_MANIFEST = path.join(INFRA_ROOT, 'assets', 'crate-placeholder', 'Cargo.toml');

export interface OperatorConsoleStackProps extends StackProps {
  /** Repository root holding `functions/` and `static-ui/`. Default: the folder above infra/. */
  readonly repoRoot?: string;
  /** Built page to upload. Default: `<repoRoot>/static-ui/dist`; skipped (with a warning) if absent. */
  readonly staticUiDist?: string;
  /**
   * Keep data when the stack or a resource is deleted: table deletion protection and RETAIN on
   * the table, user pool, secret and log groups. Default true; turn off only for dev stacks.
   */
  readonly deletionProtection?: boolean;
  /** E-mail address subscribed to the alarm topic (it must confirm the subscription). */
  readonly alarmEmail?: string;
  /** Retention of Lambda and API access logs. Default one month. */
  readonly logRetention?: logs.RetentionDays;
  /** Prefix of the Cognito hosted UI domain. Default `<stack name>-<account id>` in lower case. */
  readonly cognitoDomainPrefix?: string;
  /** Steady-state requests per second of the API's default stage. Default 50. */
  readonly apiRateLimit?: number;
  /** Burst of the API's default stage. Default 100. */
  readonly apiBurstLimit?: number;
  /**
   * Reserved concurrency of the function Twilio calls at its function URL, in place of
   * `functionUrl.reservedConcurrency` of functions.json (an account whose concurrency limit
   * is below 100 + this cannot deploy it: Lambda keeps 100 unreserved).
   */
  readonly webhookConcurrency?: number;
  /** Twilio edge the page's Voice SDK connects through (written to config.json). Default `tokyo`. */
  readonly twilioEdge?: string;
  /**
   * A domain of the centre's own for the console (e.g. `console.example.co.jp`), served by the
   * distribution with this ACM certificate (which must be in us-east-1, as CloudFront requires).
   * The page, the API and Twilio's webhook URLs are then all under it.
   */
  readonly domain?: { readonly name: string; readonly certificateArn: string };
  /** Function catalog; default `infra/functions.json`. */
  readonly catalog?: FunctionCatalog;
  /**
   * Sign-in through the company's identity provider (SAML 2.0 or OpenID Connect) besides the
   * user pool's own users. Federated users appear in the user pool on their first sign-in and
   * get a console role from an admin (ユーザー管理) like any other user.
   */
  readonly federation?: Federation;
}

/** A company identity provider the user pool federates to. */
export type Federation =
  | {
      readonly kind: 'saml';
      /** Name shown on the sign-in page and used as the Cognito provider name (letters, digits, -_). */
      readonly name: string;
      /** The IdP's SAML metadata document URL. */
      readonly metadataUrl: string;
    }
  | {
      readonly kind: 'oidc';
      readonly name: string;
      /** The IdP's issuer URL (discovery at `<issuer>/.well-known/openid-configuration`). */
      readonly issuerUrl: string;
      readonly clientId: string;
      /** Secrets Manager secret holding the client secret (as its whole string value). */
      readonly clientSecretName: string;
    };

/**
 * Reads the stack's settings from CDK context (`-c key=value` or cdk.json), so that an admin can
 * change them without editing code. Context values given on the command line are strings.
 */
export function propsFromContext(node: Node): Omit<OperatorConsoleStackProps, keyof StackProps> {
  const str = (key: string): string | undefined => {
    const value = node.tryGetContext(key);
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const value = str(key);
    if (value === undefined) return fallback;
    if (/^(true|1|yes)$/i.test(value)) return true;
    if (/^(false|0|no)$/i.test(value)) return false;
    throw new Error(`context '${key}' must be true or false, got '${value}'`);
  };
  const num = (key: string): number | undefined => {
    const value = str(key);
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`context '${key}' must be a positive number, got '${value}'`);
    return parsed;
  };
  const retentionDays = num('logRetentionDays');
  return {
    federation: federationFromContext(str),
    deletionProtection: bool('deletionProtection', true),
    alarmEmail: str('alarmEmail'),
    staticUiDist: str('staticUiDist'),
    cognitoDomainPrefix: str('cognitoDomainPrefix'),
    domain: domainFromContext(str),
    apiRateLimit: num('apiRateLimit'),
    apiBurstLimit: num('apiBurstLimit'),
    webhookConcurrency: num('webhookConcurrency'),
    twilioEdge: str('twilioEdge'),
    logRetention: retentionDays === undefined ? undefined : (retentionDays as logs.RetentionDays),
  };
}

/**
 * `-c federationSaml=<metadata URL>` or `-c federationOidcIssuer=<issuer> -c
 * federationOidcClientId=<id> -c federationOidcSecret=<secret name>`, with `-c federationName=`.
 */
function federationFromContext(str: (key: string) => string | undefined): Federation | undefined {
  const name = str('federationName') ?? 'Company';
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(name)) throw new Error(`context 'federationName' must be 1-32 letters, digits, - or _, got '${name}'`);
  const saml = str('federationSaml');
  const issuer = str('federationOidcIssuer');
  if (saml && issuer) throw new Error("give either 'federationSaml' or 'federationOidcIssuer', not both");
  if (saml) {
    if (!/^https:\/\//.test(saml)) throw new Error(`context 'federationSaml' must be the https:// URL of the IdP's SAML metadata, got '${saml}'`);
    return { kind: 'saml', name, metadataUrl: saml };
  }
  if (issuer) {
    const clientId = str('federationOidcClientId');
    const clientSecretName = str('federationOidcSecret');
    if (!/^https:\/\//.test(issuer)) throw new Error(`context 'federationOidcIssuer' must be an https:// issuer URL, got '${issuer}'`);
    if (!clientId || !clientSecretName) throw new Error("OIDC federation needs 'federationOidcClientId' and 'federationOidcSecret' (the Secrets Manager secret holding the client secret)");
    return { kind: 'oidc', name, issuerUrl: issuer, clientId, clientSecretName };
  }
  return undefined;
}

/** `-c domainName=console.example.co.jp -c certificateArn=arn:aws:acm:us-east-1:…`. */
function domainFromContext(str: (key: string) => string | undefined): OperatorConsoleStackProps['domain'] {
  const name = str('domainName');
  const certificateArn = str('certificateArn');
  if (!name && !certificateArn) return undefined;
  if (!name || !certificateArn) throw new Error("a custom domain needs both 'domainName' and 'certificateArn' (an ACM certificate in us-east-1)");
  if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/.test(name)) throw new Error(`context 'domainName' must be a lower-case domain name, got '${name}'`);
  if (!/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]+$/.test(certificateArn)) {
    throw new Error(`context 'certificateArn' must be an ACM certificate in us-east-1 (CloudFront's region), got '${certificateArn}'`);
  }
  return { name, certificateArn };
}

export class OperatorConsoleStack extends Stack {
  /** The single table. */
  public readonly table: dynamodb.Table;
  /** Twilio credentials (placeholder until an admin stores the real ones). */
  public readonly twilioSecret: secretsmanager.Secret;
  public readonly userPool: cognito.UserPool;
  public readonly pageClient: cognito.UserPoolClient;
  public readonly api: apigwv2.HttpApi;
  /** The HTTP API's `$default` stage (throttled; route-level limits from functions.json). */
  public apiStage!: apigwv2.HttpStage;
  /** Where Twilio calls the webhooks: the function URL of the function functions.json serves at one. */
  public readonly webhookUrl?: lambda.FunctionUrl;
  /** The function served at that URL. */
  private webhookFunction?: RustFunction;
  public readonly distribution: cloudfront.Distribution;
  public readonly alarmTopic: sns.Topic;
  /** The live channel: the WebSocket API at `/live`, its functions and the table's stream. */
  public readonly live: LiveChannel;
  /** One function per catalog entry, by catalog name. */
  public readonly functions: Record<string, RustFunction> = {};
  /** Each HTTP function's log group, for the metric filters of the catalog's log alarms. */
  private readonly functionLogs: Record<string, logs.LogGroup> = {};
  /** The user pool's triggers, by catalog name. */
  public readonly triggers: Record<string, RustFunction> = {};
  /** The functions run on a schedule, by catalog name. */
  public readonly scheduled: Record<string, RustFunction> = {};

  private readonly catalog: FunctionCatalog;
  /** The page's files, and the music admins upload (`music/`, kept by every deploy). */
  private readonly pageBucket: s3.Bucket;
  /** The page's origin, where the page reaches its API. */
  private pageOrigin = '';
  /**
   * Where Twilio reaches the webhooks (`PUBLIC_BASE_URL` of every function but the one Twilio
   * calls, which reads its own function URL from each request): that function URL's origin.
   */
  private webhookBaseUrl = '';
  private readonly repoRoot: string;
  private readonly protectData: boolean;
  private readonly dataRemovalPolicy: RemovalPolicy;
  private readonly logRetention: logs.RetentionDays;

  constructor(scope: Construct, id: string, props: OperatorConsoleStackProps = {}) {
    super(scope, id, {
      description: 'Operator console on Twilio Voice: API, Rust functions, table, sign-in, page, alarms',
      ...props,
    });
    this.catalog = props.catalog ?? loadCatalog();
    this.repoRoot = props.repoRoot ?? path.resolve(INFRA_ROOT, '..');
    this.protectData = props.deletionProtection ?? true;
    this.dataRemovalPolicy = this.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    this.table = this.createTable();
    this.twilioSecret = this.createTwilioSecret();

    this.userPool = this.createUserPool();
    const hostedUi = this.userPool.addDomain('HostedUiDomain', {
      cognitoDomain: { domainPrefix: props.cognitoDomainPrefix ?? this.defaultDomainPrefix() },
    });
    const hostedUiUrl = hostedUi.baseUrl();

    const pageBucket = new s3.Bucket(this, 'PageBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Build output, uploaded again by every deploy, and the hold and wait music admins upload
      // (music/, which the deployment leaves alone); the music is uploaded again if the stack goes.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
      // The admin page PUTs music straight to the bucket with a presigned URL the settings
      // function gives. The distribution's own name cannot be named here (it is built on the
      // bucket: a cycle), so without a custom domain any CloudFront origin may send the PUT; the
      // presigned URL is what grants it.
      cors: [
        {
          allowedMethods: [s3.HttpMethods.PUT],
          allowedOrigins: [props.domain ? `https://${props.domain.name}` : 'https://*.cloudfront.net'],
          allowedHeaders: ['content-type'],
          maxAge: 3000,
        },
      ],
    });
    this.pageBucket = pageBucket;
    // One origin for everything a browser reaches: the page and its API (/api/*) are served by
    // the distribution (see infra/README.md, "One origin"), so the page needs no CORS. Twilio
    // calls its webhooks at the voice function's own function URL instead (below).
    this.api = this.createApi(props);
    this.live = new LiveChannel(this, 'LiveChannel');
    this.distribution = this.createDistribution(pageBucket, hostedUiUrl, this.api, props.domain);
    const pageOrigin = props.domain ? `https://${props.domain.name}` : `https://${this.distribution.distributionDomainName}`;
    const pageUrl = `${pageOrigin}/`;
    this.pageOrigin = pageOrigin;

    const federated = props.federation ? this.createFederation(props.federation) : undefined;
    this.createFirstAdmin();

    // The page signs in with the authorization code flow and PKCE (a public client: no secret)
    // and sends the ID token to the API: it carries the name and groups the functions read.
    this.pageClient = this.userPool.addClient('OperatorPageClient', {
      userPoolClientName: 'operator-page',
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        // COGNITO_ADMIN lets the page register the user's own authenticator (TOTP) with the access token.
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE, cognito.OAuthScope.COGNITO_ADMIN],
        callbackUrls: [`${pageOrigin}/auth/callback`],
        logoutUrls: [pageUrl],
      },
      supportedIdentityProviders: [
        cognito.UserPoolClientIdentityProvider.COGNITO,
        ...(federated ? [cognito.UserPoolClientIdentityProvider.custom(federated.providerName)] : []),
      ],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      // One shift; operators sign in again the next day.
      refreshTokenValidity: Duration.hours(12),
    });

    const authorizer = new HttpUserPoolAuthorizer('CognitoJwtAuthorizer', this.userPool, {
      authorizerName: 'cognito-jwt',
      userPoolClients: [this.pageClient],
      identitySource: ['$request.header.Authorization'],
    });

    // Twilio's webhooks at a function URL (functions.json `functionUrl`): that function first,
    // since every other function hands Twilio URLs under it (PUBLIC_BASE_URL).
    const atUrl = this.catalog.functions.find((spec) => spec.functionUrl);
    if (atUrl) {
      const fn = this.createFunction(atUrl, {
        publicBaseUrl: regionFunctionUrls(this.region),
        reservedConcurrency: props.webhookConcurrency ?? atUrl.functionUrl!.reservedConcurrency,
      });
      this.functions[atUrl.name] = fn;
      this.webhookFunction = fn;
      // Auth type NONE: Twilio signs every request and the function checks the signature
      // before it reads or writes anything. CDK grants both lambda:InvokeFunctionUrl (for auth
      // type NONE) and lambda:InvokeFunction (only via the function URL) to everyone.
      this.webhookUrl = fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE, invokeMode: lambda.InvokeMode.BUFFERED });
      // `https://<id>.lambda-url.<region>.on.aws/` without its trailing slash.
      this.webhookBaseUrl = `https://${Fn.select(2, Fn.split('/', this.webhookUrl.url))}`;
    } else {
      this.webhookBaseUrl = this.pageOrigin;
    }

    const throttledRoutes: { key: string; throttle: { rateLimit: number; burstLimit: number }; routes: apigwv2.HttpRoute[] }[] = [];
    for (const spec of this.catalog.functions) {
      const fn = this.functions[spec.name] ?? this.createFunction(spec);
      this.functions[spec.name] = fn;
      if (deployedRoutes(this.catalog, spec).length === 0) continue;
      const integration = new HttpLambdaIntegration(`${pascalCase(spec.name)}Integration`, fn, {
        payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      });
      for (const route of deployedRoutes(this.catalog, spec)) {
        const added = this.api.addRoutes({
          path: route.path,
          methods: [apigwv2.HttpMethod[route.method]],
          integration,
          authorizer: routeAuthorizer(spec, route) === 'jwt' ? authorizer : undefined,
        });
        if (spec.throttle) {
          throttledRoutes.push({ key: routeKey(route), throttle: spec.throttle, routes: added });
        }
      }
    }
    // Route-level limits (functions.json `throttle`): the stage names the routes, so it is
    // created after them. RouteSettings is a JSON map in CloudFormation: its keys are written as
    // CloudFormation spells them.
    if (throttledRoutes.length > 0) {
      const stage = this.apiStage.node.defaultChild as apigwv2.CfnStage;
      stage.routeSettings = Object.fromEntries(
        throttledRoutes.map(({ key, throttle }) => [
          key,
          { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit },
        ]),
      );
      for (const { routes } of throttledRoutes) routes.forEach((route) => this.apiStage.node.addDependency(route));
    }

    this.live.attach({
      table: this.table,
      build: (spec, environment) => this.rustFunction(spec, environment),
      environment: { ...this.catalog.defaults.env, TABLE_NAME: this.table.tableName, PUBLIC_BASE_URL: this.webhookBaseUrl },
      issuer: this.userPool.userPoolProviderUrl,
      audience: this.pageClient.userPoolClientId,
    });

    this.deployPage(pageBucket, props, {
      // The API is on the page's own origin.
      apiUrl: '',
      auth: {
        kind: 'cognito',
        authority: this.userPool.userPoolProviderUrl,
        clientId: this.pageClient.userPoolClientId,
        redirectUri: `${pageOrigin}/auth/callback`,
        logoutUri: pageUrl,
        logoutEndpoint: `${hostedUiUrl}/logout`,
        scope: 'openid email profile aws.cognito.signin.user.admin',
      },
      phone: { kind: 'twilio', edge: props.twilioEdge ?? 'tokyo' },
    });

    for (const spec of this.catalog.triggers) this.triggers[spec.name] = this.createTrigger(spec);
    for (const spec of this.catalog.scheduled) this.scheduled[spec.name] = this.createScheduled(spec);

    this.alarmTopic = new sns.Topic(this, 'OperationalAlarmsTopic', {
      displayName: 'Operator console alarms',
      enforceSSL: true,
    });
    if (props.alarmEmail) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }
    this.createAlarms();

    this.createOutputs(pageUrl);
  }

  private createTable(): dynamodb.Table {
    const table = new dynamodb.Table(this, 'OperatorConsoleTable', {
      partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'SK', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: 'expires_at',
      // The live channel's push function reads every change from here (see live-channel.ts).
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      deletionProtection: this.protectData,
      removalPolicy: this.dataRemovalPolicy,
    });
    for (const index of GSI_NAMES) {
      table.addGlobalSecondaryIndex({
        indexName: index,
        partitionKey: { name: `${index}PK`, type: dynamodb.AttributeType.STRING },
        sortKey: { name: `${index}SK`, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
    return table;
  }

  /**
   * The secret starts as JSON with every key the functions expect: empty strings, and a random
   * `auth_token` so that nobody can forge a valid X-Twilio-Signature before an admin stores the
   * real credentials. Its value never appears in the template or in any environment variable.
   */
  private createTwilioSecret(): secretsmanager.Secret {
    const spec = this.catalog.secrets.twilio;
    const template = Object.fromEntries(spec.keys.filter((key) => key !== 'auth_token').map((key) => [key, '']));
    return new secretsmanager.Secret(this, 'TwilioCredentialsSecret', {
      secretName: this.twilioSecretName,
      description: spec.description,
      generateSecretString: {
        secretStringTemplate: JSON.stringify(template),
        generateStringKey: 'auth_token',
        excludePunctuation: true,
        passwordLength: 32,
      },
      removalPolicy: this.dataRemovalPolicy,
    });
  }

  private createUserPool(): cognito.UserPool {
    const pool = new cognito.UserPool(this, 'OperatorUserPool', {
      userPoolName: `${this.stackName}-operators`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        fullname: { required: false, mutable: true },
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: false,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      userInvitation: {
        emailSubject: 'オペレーターコンソールへの招待 / Operator console invitation',
        emailBody:
          'オペレーターコンソールのアカウントが作成されました。ユーザー名: {username} 仮パスワード: {####} ' +
          '(初回サインイン時に変更してください) / Your operator console account: user {username}, ' +
          'temporary password {####} (change it at first sign-in).',
      },
      deletionProtection: this.protectData,
      removalPolicy: this.dataRemovalPolicy,
    });
    for (const group of OPERATOR_GROUPS) {
      new cognito.UserPoolGroup(this, `${pascalCase(group.name)}Group`, {
        userPool: pool,
        groupName: group.name,
        precedence: group.precedence,
        description: group.description,
      });
    }
    return pool;
  }

  /** Globally unique per region and account: `<stack name>-<account id>`, lower case. */
  private defaultDomainPrefix(): string {
    const name = this.stackName.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/(aws|amazon|cognito)/g, 'x');
    return Token.isUnresolved(this.account) ? Fn.join('-', [name, Aws.ACCOUNT_ID]) : `${name}-${this.account}`;
  }

  /**
   * Content-Security-Policy of the page: its own origin (the API and the live channel are on it),
   * Cognito and Twilio. The live channel is `wss://<the page's host>/live`: CSP Level 3 lets
   * 'self' match it, but not every browser in a call centre applies that rule, so its wss://
   * origin is named as well. With a custom domain that is exact. Without one the page is on the
   * distribution's generated `*.cloudfront.net` name, which this policy cannot name: the
   * distribution refers to the policy, so the policy referring to the distribution's name would
   * be a circular dependency CloudFormation refuses. `wss://*.cloudfront.net` is allowed then;
   * it widens connect-src to other distributions' WebSockets only, and scripts stay 'self' only.
   */
  private contentSecurityPolicy(hostedUiUrl: string, pageBucketHost: string, domain?: string): string {
    const cognitoApi = `https://cognito-idp.${this.region}.${this.urlSuffix}`;
    const liveOrigin = domain ? `wss://${domain}` : 'wss://*.cloudfront.net';
    return [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      "font-src 'self' data:",
      // The page bucket: the admin page uploads hold and wait music to it with a presigned PUT.
      `connect-src 'self' ${liveOrigin} ${hostedUiUrl} ${cognitoApi} https://${pageBucketHost} wss://*.twilio.com https://*.twilio.com`,
      "media-src 'self' blob: https://*.twilio.com",
      "worker-src 'self' blob:",
      "object-src 'none'",
      "base-uri 'self'",
      `form-action 'self' ${hostedUiUrl}`,
      "frame-ancestors 'none'",
      'upgrade-insecure-requests',
    ].join('; ');
  }

  private createDistribution(
    bucket: s3.Bucket,
    hostedUiUrl: string,
    api: apigwv2.HttpApi,
    domain: OperatorConsoleStackProps['domain'],
  ): cloudfront.Distribution {
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'PageSecurityHeaders', {
      comment: 'Operator console: CSP (API, Cognito, Twilio Voice SDK), HSTS and friends',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: this.contentSecurityPolicy(hostedUiUrl, bucket.bucketRegionalDomainName, domain?.name), override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        xssProtection: { protection: true, modeBlock: true, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Permissions-Policy', value: 'microphone=(self), camera=(), geolocation=(), payment=()', override: true },
        ],
      },
    });
    // SPA routing for page routes only: a path whose last segment has no dot (/, /supervisor,
    // /admin/lines) is a page route and gets index.html. Files (assets, config.json,
    // twilio/fallback.xml) are served as they are and stay a real 403/404 when missing,
    // which distribution-wide 403/404 -> index.html error responses would hide.
    const pageRoutes = new cloudfront.Function(this, 'PageRouteRewriteFunction', {
      comment: 'Serve /index.html for page routes (paths without a file extension)',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(
        [
          'function handler(event) {',
          '  var request = event.request;',
          "  var last = request.uri.substring(request.uri.lastIndexOf('/') + 1);",
          "  if (last.indexOf('.') === -1) { request.uri = '/index.html'; }",
          '  return request;',
          '}',
        ].join('\n'),
      ),
    });
    const pageBehavior: cloudfront.BehaviorOptions = {
      origin: origins.S3BucketOrigin.withOriginAccessControl(bucket),
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: headers,
      compress: true,
      functionAssociations: [{ eventType: cloudfront.FunctionEventType.VIEWER_REQUEST, function: pageRoutes }],
    };
    // The API behind the same distribution: nothing cached, every method, every header but
    // Host forwarded (API Gateway answers for its own host name; the token travels unchanged),
    // the body as it came.
    const apiBehavior: cloudfront.BehaviorOptions = {
      origin: new origins.HttpOrigin(Fn.select(2, Fn.split('/', api.apiEndpoint)), {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      }),
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: headers,
      compress: true,
    };
    // The live channel: a WebSocket upgrade (GET) passed on with every viewer header but Host —
    // Sec-WebSocket-Protocol carries the token — to the stage named like the path.
    const liveBehavior: cloudfront.BehaviorOptions = {
      origin: new origins.HttpOrigin(this.live.originDomain, {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      }),
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      compress: false,
    };
    return new cloudfront.Distribution(this, 'PageDistribution', {
      comment: 'Operator console: the page, its API (/api/*), the live channel (/live) and the fallback TwiML',
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      // PriceClass_100 has no edge in Japan; 200 does.
      priceClass: cloudfront.PriceClass.PRICE_CLASS_200,
      ...(domain
        ? { domainNames: [domain.name], certificate: acm.Certificate.fromCertificateArn(this, 'PageCertificate', domain.certificateArn) }
        : {}),
      defaultBehavior: pageBehavior,
      // The fallback TwiML is a static file of the bucket, answered when the webhooks' function
      // fails; Twilio calls the webhooks themselves at their function URL, not here.
      additionalBehaviors: {
        '/twilio/fallback.xml': pageBehavior,
        '/api/*': apiBehavior,
        [`/${LIVE_STAGE}`]: liveBehavior,
      },
    });
  }

  /** The HTTP API. No CORS rule: the page reaches it on its own origin, through the distribution. */
  private createApi(props: OperatorConsoleStackProps): apigwv2.HttpApi {
    const api = new apigwv2.HttpApi(this, 'OperatorApi', {
      apiName: `${this.stackName}-api`,
      description: 'Operator console API (/api/*, Cognito JWT; Twilio calls its webhooks at the voice function URL)',
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, 'OperatorApiAccessLogs', {
      retention: this.logRetention,
      removalPolicy: this.dataRemovalPolicy,
    });
    this.apiStage = new apigwv2.HttpStage(this, 'OperatorApiDefaultStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.apiRateLimit ?? 50, burstLimit: props.apiBurstLimit ?? 100 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        // Route keys, not paths: paths can carry phone numbers.
        format: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
    });
    return api;
  }

  /** Settings every function shares; per-function values come from the catalog. */
  private sharedFunctionSettings() {
    return {
      runtime: 'provided.al2023' as const,
      architecture: lambda.Architecture.ARM_64,
      tracing: lambda.Tracing.ACTIVE,
    };
  }

  /**
   * A routed or scheduled function: the catalog's environment and grants. `at.publicBaseUrl` in
   * place of the webhooks' origin, and `at.reservedConcurrency`, for the function Twilio calls at
   * its own function URL.
   */
  private createFunction(spec: FunctionSpec | ScheduledSpec, at: { publicBaseUrl?: string; reservedConcurrency?: number } = {}): RustFunction {
    const userPool = 'userPool' in spec ? spec.userPool : undefined;
    const environment: Record<string, string> = {
      ...this.catalog.defaults.env,
      TABLE_NAME: this.table.tableName,
      PUBLIC_BASE_URL: at.publicBaseUrl ?? this.webhookBaseUrl,
    };
    for (const secret of spec.secrets) {
      environment[this.catalog.secrets[secret].env] = this.twilioSecretFor(secret).secretArn;
    }
    if (userPool) environment[USER_POOL_ENV] = this.userPool.userPoolId;
    const pageAccess = 'pageBucket' in spec ? spec.pageBucket : undefined;
    if (pageAccess) environment[PAGE_BUCKET_ENV] = this.pageBucket.bucketName;
    const fn = this.rustFunction(spec, environment, at.reservedConcurrency);
    if (pageAccess) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'PageBucketObjects',
          actions: pageAccess.actions,
          resources: [this.pageBucket.arnForObjects(`${pageAccess.prefix}*`)],
        }),
      );
    }

    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'TableAccess',
        actions: spec.table.actions,
        resources: [this.table.tableArn],
      }),
    );
    if (spec.table.indexes.length > 0) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'IndexQuery',
          actions: ['dynamodb:Query'],
          resources: spec.table.indexes.map((index) => `${this.table.tableArn}/index/${index}`),
        }),
      );
    }
    for (const secret of spec.secrets) {
      this.twilioSecretFor(secret).grantRead(fn);
    }
    if (userPool) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'UserPoolAdmin',
          actions: userPool.actions,
          resources: [this.userPool.userPoolArn],
        }),
      );
    }
    return fn;
  }

  /**
   * A function run on a schedule: the same environment and grants as a routed function's, invoked
   * by an EventBridge rule instead of a route. A failed run is not retried: the next one comes
   * within the schedule's period.
   */
  private createScheduled(spec: ScheduledSpec): RustFunction {
    const fn = this.createFunction(spec);
    new events.Rule(this, `${pascalCase(spec.name)}Schedule`, {
      description: `Runs ${spec.name}: ${spec.schedule}`,
      schedule: events.Schedule.expression(spec.schedule),
      targets: [new eventTargets.LambdaFunction(fn, { retryAttempts: 0 })],
    });
    return fn;
  }

  /**
   * A function the user pool invokes. Its access to the pool is a policy of its own, attached to
   * its role, so that the pool (which names the function) and the grant (which names the pool)
   * make no cycle.
   */
  private createTrigger(spec: TriggerSpec): RustFunction {
    const id = pascalCase(spec.name);
    const fn = this.rustFunction(spec, { ...this.catalog.defaults.env });
    new iam.Policy(this, `${id}UserPoolAccess`, {
      roles: [fn.role!],
      statements: [new iam.PolicyStatement({ sid: 'UserPoolAccess', actions: spec.userPool.actions, resources: [this.userPool.userPoolArn] })],
    });
    this.userPool.addTrigger(cognito.UserPoolOperation.PRE_TOKEN_GENERATION, fn);
    return fn;
  }

  /** A catalog entry's Rust function with the shared settings and a log group of its own. */
  private rustFunction(
    spec: FunctionSpec | TriggerSpec | LiveFunctionSpec | ScheduledSpec,
    environment: Record<string, string>,
    reservedConcurrency?: number,
  ): RustFunction {
    const id = pascalCase(spec.name);
    const logGroup = new logs.LogGroup(this, `${id}FunctionLogs`, {
      retention: this.logRetention,
      removalPolicy: this.dataRemovalPolicy,
    });
    this.functionLogs[spec.name] = logGroup;
    const fn = new RustFunction(this, `${id}Function`, {
      ...this.sharedFunctionSettings(),
      manifestPath: this.manifestFor(spec),
      binaryName: spec.package,
      description: spec.description,
      memorySize: memoryOf(this.catalog, spec),
      timeout: Duration.seconds(timeoutOf(this.catalog, spec)),
      environment,
      logGroup,
      reservedConcurrentExecutions: reservedConcurrency,
    });
    // Which binary of the crate the function runs, as the SAM template's BuildProperties.Binary
    // says it: the template alone names the crate (one crate, functions/live, builds two).
    (fn.node.defaultChild as lambda.CfnFunction).addMetadata(CARGO_BINARY_METADATA, spec.package);
    return fn;
  }

  /** Set explicitly, so an admin can type it (`aws secretsmanager put-secret-value --secret-id`). */
  private get twilioSecretName(): string {
    return `${this.stackName}/twilio`;
  }

  private twilioSecretFor(name: string): secretsmanager.Secret {
    if (name !== 'twilio') throw new Error(`no secret '${name}' in this stack`);
    return this.twilioSecret;
  }

  /**
   * cargo-lambda-cdk reads the crate's Cargo.toml while the stack is built, even when bundling is
   * skipped. A crate that does not exist yet is tolerated only when bundling is skipped (tests,
   * offline synth); a deploy, which bundles, stops with the crate's name.
   */
  private manifestFor(spec: FunctionSpec | TriggerSpec | LiveFunctionSpec | ScheduledSpec): string {
    const manifest = path.join(this.repoRoot, spec.crateDir, 'Cargo.toml');
    if (fs.existsSync(manifest)) return manifest;
    if (this.bundlingRequired) {
      throw new Error(
        `${spec.crateDir}/Cargo.toml does not exist, so function '${spec.name}' cannot be built. ` +
          'Create the crate (see infra/functions.json), or synth without bundling: -c aws:cdk:bundling-stacks=[]',
      );
    }
    Annotations.of(this).addWarningV2(
      'operator-console:missing-crate',
      `${spec.crateDir}/Cargo.toml does not exist yet; '${spec.name}' uses a placeholder manifest (bundling is skipped)`,
    );
    return PLACEHOLDER_MANIFEST;
  }

  /**
   * The first admin, created by the deploy from the `AdminEmail` parameter (Cognito e-mails the
   * temporary password). Kept when the parameter is later emptied or the stack deleted: losing
   * the only admin would lock the centre out of user management.
   */
  private createFirstAdmin(): void {
    const email = new CfnParameter(this, 'AdminEmail', {
      type: 'String',
      default: '',
      description: "E-mail of the console's first admin (invited with a temporary password). Leave empty to add none.",
      allowedPattern: '^$|^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$',
      constraintDescription: 'an e-mail address such as admin@example.co.jp, or empty',
    });
    const name = new CfnParameter(this, 'AdminName', {
      type: 'String',
      default: '管理者',
      description: "The first admin's display name in the console.",
      minLength: 1,
      maxLength: 100,
    });
    const hasAdmin = new CfnCondition(this, 'HasFirstAdmin', { expression: Fn.conditionNot(Fn.conditionEquals(email.valueAsString, '')) });
    const user = new cognito.CfnUserPoolUser(this, 'FirstAdminUser', {
      userPoolId: this.userPool.userPoolId,
      username: email.valueAsString,
      desiredDeliveryMediums: ['EMAIL'],
      userAttributes: [
        { name: 'email', value: email.valueAsString },
        { name: 'email_verified', value: 'true' },
        { name: 'name', value: name.valueAsString },
      ],
    });
    user.cfnOptions.condition = hasAdmin;
    user.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const membership = new cognito.CfnUserPoolUserToGroupAttachment(this, 'FirstAdminMembership', {
      userPoolId: this.userPool.userPoolId,
      username: email.valueAsString,
      groupName: 'admin',
    });
    membership.cfnOptions.condition = hasAdmin;
    membership.applyRemovalPolicy(RemovalPolicy.RETAIN);
    membership.addResourceDependency(user);
    const adminGroup = this.node.findChild(`${pascalCase('admin')}Group`).node.defaultChild as cognito.CfnUserPoolGroup;
    membership.addResourceDependency(adminGroup);
  }

  /** The company IdP as a provider of the user pool, mapping e-mail and name. */
  private createFederation(federation: Federation): cognito.IUserPoolIdentityProvider {
    const attributeMapping = { email: cognito.ProviderAttribute.other('email'), fullname: cognito.ProviderAttribute.other('name') };
    if (federation.kind === 'saml') {
      return new cognito.UserPoolIdentityProviderSaml(this, 'CompanyIdentityProvider', {
        userPool: this.userPool,
        name: federation.name,
        metadata: cognito.UserPoolIdentityProviderSamlMetadata.url(federation.metadataUrl),
        attributeMapping: {
          email: cognito.ProviderAttribute.other('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress'),
          fullname: cognito.ProviderAttribute.other('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name'),
        },
      });
    }
    return new cognito.UserPoolIdentityProviderOidc(this, 'CompanyIdentityProvider', {
      userPool: this.userPool,
      name: federation.name,
      issuerUrl: federation.issuerUrl,
      clientId: federation.clientId,
      // A dynamic reference: CloudFormation reads the secret at deploy; the template holds its name only.
      clientSecret: SecretValue.secretsManager(federation.clientSecretName).unsafeUnwrap(),
      scopes: ['openid', 'email', 'profile'],
      attributeRequestMethod: cognito.OidcAttributeRequestMethod.GET,
      attributeMapping,
    });
  }

  private deployPage(bucket: s3.Bucket, props: OperatorConsoleStackProps, config: PageConfig): void {
    const dist = props.staticUiDist ?? path.join(this.repoRoot, 'static-ui', 'dist');
    const sources: s3deploy.ISource[] = [];
    if (fs.existsSync(path.join(dist, 'index.html'))) {
      sources.push(s3deploy.Source.asset(dist));
    } else {
      Annotations.of(this).addWarningV2(
        'operator-console:no-page-build',
        `${dist} has no index.html: only config.json and the fallback TwiML are deployed (build static-ui first)`,
      );
    }
    // Later sources win, so the generated config.json replaces any in the build.
    sources.push(s3deploy.Source.asset(path.join(INFRA_ROOT, 'assets', 'static')));
    sources.push(s3deploy.Source.jsonData('config.json', config));
    new s3deploy.BucketDeployment(this, 'PageDeployment', {
      sources,
      destinationBucket: bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      prune: true,
      // The music admins uploaded is not part of the build: a deploy must not prune it.
      exclude: ['music/*'],
      memoryLimit: 512,
      // Browsers revalidate (ETag) so a deploy is seen at once; Vite's asset names are hashed anyway.
      cacheControl: [s3deploy.CacheControl.noCache()],
    });
  }

  private createAlarms(): void {
    const action = new cwActions.SnsAction(this.alarmTopic);
    const alarm = (id: string, description: string, metric: cloudwatch.IMetric, threshold = 1) => {
      const created = new cloudwatch.Alarm(this, id, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      return created;
    };
    const period = Duration.minutes(5);

    alarm('ApiServerErrorsAlarm', 'HTTP API answered 5xx (API or function failure)', this.api.metricServerError({ period }));
    // HTTP APIs publish no throttle metric: a throttled request is a 429 counted in 4XXError.
    // Alarm when 4xx exceed 10% of at least 50 requests in 5 minutes (throttling, or sign-in broken).
    alarm(
      'ApiThrottlesAlarm',
      'HTTP API 4xx rate above 10% (stage throttling returns 429, counted as 4xx)',
      new cloudwatch.MathExpression({
        expression: 'IF(requests >= 50, 100 * clientErrors / requests, 0)',
        usingMetrics: {
          clientErrors: this.api.metricClientError({ period }),
          requests: this.api.metricCount({ period }),
        },
        period,
        label: '4xx % of requests',
      }),
      10,
    );

    // Twilio's webhooks at the function URL: no API Gateway metric counts them. Lambda's own
    // function URL metrics do: a 5xx is a callback not applied (Twilio retries it); webhooks
    // refused (403: a signature that does not match, the auth token in the secret not the
    // account's; 429: past the reserved concurrency) above 10% of at least 20 in 5 minutes is a
    // wrong token or a flood.
    if (this.webhookFunction) {
      const urlMetric = (metricName: string) =>
        new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName, dimensionsMap: { FunctionName: this.webhookFunction!.functionName }, statistic: 'Sum', period });
      alarm('WebhookServerErrorsAlarm', "Twilio's webhooks answered 5xx at the voice function URL (a callback not applied yet: Twilio retries it)", urlMetric('Url5xxCount'));
      alarm(
        'WebhooksRefusedAlarm',
        "Twilio's webhooks refused (4xx) above 10% at the voice function URL: the secret's auth token is not the account's, or a flood of unsigned requests",
        new cloudwatch.MathExpression({
          expression: 'IF(requests >= 20, 100 * refused / requests, 0)',
          usingMetrics: { refused: urlMetric('Url4xxCount'), requests: urlMetric('UrlRequestCount') },
          period,
          label: '4xx % of webhook requests',
        }),
        10,
      );
    }

    // A failing trigger stops every sign-in: its errors alarm like a function's.
    for (const [name, fn] of Object.entries({ ...this.functions, ...this.triggers, ...this.scheduled })) {
      const id = pascalCase(name);
      alarm(`${id}FunctionErrorsAlarm`, `Lambda '${name}' errors`, fn.metricErrors({ period }));
      alarm(`${id}FunctionThrottlesAlarm`, `Lambda '${name}' throttled`, fn.metricThrottles({ period }));
    }

    // Log lines that must page someone (a dependency refusing requests for good: 500 with the
    // cause logged), counted from every HTTP function's log group into one metric each.
    for (const spec of this.catalog.logAlarms) {
      for (const fn of this.catalog.functions) {
        new logs.MetricFilter(this, `${pascalCase(fn.name)}${spec.metric}Filter`, {
          logGroup: this.functionLogs[fn.name],
          filterPattern: logs.FilterPattern.literal(spec.pattern),
          metricNamespace: LOG_METRIC_NAMESPACE,
          metricName: spec.metric,
          metricValue: '1',
        });
      }
      alarm(
        `${spec.metric}Alarm`,
        spec.description,
        new cloudwatch.Metric({ namespace: LOG_METRIC_NAMESPACE, metricName: spec.metric, statistic: 'Sum', period }),
      );
    }

    const operations = [
      dynamodb.Operation.GET_ITEM,
      dynamodb.Operation.BATCH_GET_ITEM,
      dynamodb.Operation.QUERY,
      dynamodb.Operation.PUT_ITEM,
      dynamodb.Operation.UPDATE_ITEM,
      dynamodb.Operation.DELETE_ITEM,
      dynamodb.Operation.BATCH_WRITE_ITEM,
      dynamodb.Operation.TRANSACT_WRITE_ITEMS,
    ];
    alarm(
      'TableThrottledRequestsAlarm',
      'DynamoDB throttled requests on the operator console table',
      this.table.metricThrottledRequestsForOperations({ operations, period }),
    );
    alarm(
      'TableSystemErrorsAlarm',
      'DynamoDB system errors on the operator console table',
      this.table.metricSystemErrorsForOperations({ operations, period }),
    );
  }

  private createOutputs(pageUrl: string): void {
    const api = this.pageOrigin;
    const hooks = this.webhookBaseUrl;
    const out = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    out('TwilioVoiceUrl', `${hooks}/twilio/voice/incoming`, 'Twilio number > Voice configuration > "A call comes in": Webhook, HTTP POST');
    out(
      'TwilioFallbackUrl',
      `${api}/twilio/fallback.xml`,
      'Twilio number > "Primary handler fails": this URL with HTTP GET (a static file: POST is refused)',
    );
    // The fragment is Twilio's connection override: retry a refused status callback (the function
    // answers 503 while the table is unavailable) instead of losing the call's end.
    out(
      'TwilioStatusCallbackUrl',
      `${hooks}/twilio/voice/status#rc=3&rp=ct,rt,5xx`,
      'Twilio number > "Call status changes": HTTP POST (keep the #rc=… part: it makes Twilio retry)',
    );
    out('TwilioTwimlAppVoiceUrl', `${hooks}/twilio/voice/outbound`, 'TwiML App > Voice Request URL: HTTP POST');
    out(
      'TwilioWebhookBaseUrl',
      hooks,
      "Where Twilio calls the webhooks: the voice function's function URL (PUBLIC_BASE_URL of the other functions; infra/deploy provisions Twilio with it)",
    );
    out('PageUrl', pageUrl, 'Operator console page (sign in with a Cognito user)');
    out('ApiUrl', api, "The API's public base URL: the page's own origin");
    out('DistributionDomainName', this.distribution.distributionDomainName, "The distribution's own name: the CNAME target of a custom domain");
    out('LiveUrl', `${api.replace(/^https:/, 'wss:')}/${LIVE_STAGE}`, "The live channel on the page's origin (WebSocket, subprotocols console.v1 and bearer.<ID token>)");
    out('UserPoolId', this.userPool.userPoolId, 'Cognito user pool: create users and add them to groups here');
    out('TwilioSecretName', this.twilioSecretName, 'Secrets Manager secret to put the Twilio credentials JSON into');
    out('AlarmTopicArn', this.alarmTopic.topicArn, 'SNS topic of the alarms: subscribe more people here');
  }
}
