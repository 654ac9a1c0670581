#!/usr/bin/env python3
"""Writes sam/template.yaml from functions.json (the SAM twin of the CDK stack).

Run `python3 sam/generate.py` after changing functions.json or this file; `--check` exits 1 if
the committed template differs (infra/test/sam.test.ts runs it). Standard library only.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = os.path.join(HERE, 'template.yaml')
cat = json.load(open(os.path.join(HERE, '..', 'functions.json'), encoding='utf-8'))
d = cat['defaults']
# The CloudWatch namespace of the metrics counted from the functions' logs (as the CDK app's
# LOG_METRIC_NAMESPACE in lib/function-catalog.ts).
LOG_METRIC_NAMESPACE = 'OperatorConsole'


def pascal(name):
    """`call-lists` -> `CallLists`, as lib/function-catalog.ts pascalCase does."""
    return ''.join(part[:1].upper() + part[1:] for part in name.replace('_', '-').split('-') if part)


def route_authorizer(fn, route):
    """The function's authorizer, unless the route is made public on its own (as
    lib/function-catalog.ts routeAuthorizer says)."""
    return route.get('authorizer', fn['authorizer'])


def deployed_routes(fn):
    """The routes on the HTTP API: an ANY route behind the authorizer becomes one route per
    apiMethods entry (see the $comment of functions.json: an ANY route would capture CORS
    preflights); a function served at its function URL has none there."""
    if fn.get('functionUrl'):
        return []
    routes = []
    for route in fn['routes']:
        if route_authorizer(fn, route) == 'jwt' and route['method'] == 'ANY':
            routes += [{'method': m, 'path': route['path']} for m in cat['apiMethods']]
        else:
            routes.append(route)
    return routes


def route_id(fn, route):
    """`GET /api/settings/{proxy+}` of settings -> `SettingsRouteGetProxy`."""
    method = pascal(route['method'].lower()) if route['method'] != 'ANY' else ''
    segments = [seg.replace('{proxy+}', 'proxy').strip('{}') for seg in route['path'].split('/')]
    rest = ''.join(pascal(seg) for seg in segments if seg and seg not in (fn['name'], 'api'))
    return pascal(fn['name']) + 'Route' + method + rest


out = []
w = out.append
# The function Twilio calls at its own function URL (functions.json `functionUrl`), if any: every
# other function's PUBLIC_BASE_URL is that URL's origin (SAM names the URL <function id>Url).
hooks = next((fn for fn in cat['functions'] if fn.get('functionUrl')), None)
HOOKS_URL = f"{pascal(hooks['name'])}FunctionUrl" if hooks else None

def write_policies(spec):
    """A function's `Policies`: its table actions, the index queries and the Twilio secret it may
    read (the catalog's `table` and `secrets`), as the CDK app grants them."""
    w("""      Policies:
        - Statement:
            - Sid: TableAccess
              Effect: Allow
              Action:
""")
    for a in spec['table']['actions']:
        w(f"                - {a}\n")
    w("""              Resource: !GetAtt OperatorConsoleTable.Arn
""")
    if spec['table']['indexes']:
        w("""            - Sid: IndexQuery
              Effect: Allow
              Action: dynamodb:Query
              Resource:
""")
        for i in spec['table']['indexes']:
            w(f"                - !Sub ${{OperatorConsoleTable.Arn}}/index/{i}\n")
    if spec['secrets']:
        w("""            - Sid: TwilioSecretRead
              Effect: Allow
              Action: [secretsmanager:GetSecretValue, secretsmanager:DescribeSecret]
              Resource: !Ref TwilioCredentialsSecret
""")

w("""AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: >-
  Operator console backend, SAM alternative to the CDK app in infra/: the Rust functions
  (cargo-lambda, arm64, provided.al2023), the DynamoDB single table, the HTTP API with a
  Cognito JWT authorizer on /api/*, Twilio's webhooks at the voice function's own function URL
  (Twilio's signature checked by the function), the Cognito user pool and the Twilio
  credentials secret. Generated from infra/functions.json by
  infra/sam/generate.py (edit that, not this file); infra/test/sam.test.ts fails if it drifts
  from functions.json or from the CDK template. The page (S3 + CloudFront), the
  hosted fallback TwiML and most alarms are in the CDK app only (see infra/README.md); the
  log alarms of functions.json are in both, notifying AlarmTopicArn when given.

Parameters:
  PageOrigin:
    Type: String
    Description: >-
      Origin the operator page is served from (no trailing slash), e.g.
      https://d111111abcdef8.cloudfront.net. Used for CORS and the Cognito callback URLs.
    AllowedPattern: '^(https://[A-Za-z0-9.-]+|http://localhost(:[0-9]+)?)$'
    Default: http://localhost:5173
  CognitoDomainPrefix:
    Type: String
    Description: Prefix of the Cognito hosted UI domain; unique in the region (e.g. operatorconsole-<account id>).
    AllowedPattern: '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'
  DeletionProtection:
    Type: String
    Description: Table and user pool deletion protection. Set false only for throw-away dev stacks.
    AllowedValues: ['true', 'false']
    Default: 'true'
  LogRetentionDays:
    Type: Number
    Description: Retention of function and API access logs.
    AllowedValues: [7, 14, 30, 60, 90, 180, 365]
    Default: 30
  ApiRateLimit:
    Type: Number
    Description: Steady-state requests per second of the API's default stage.
    Default: 50
  ApiBurstLimit:
    Type: Number
    Description: Burst of the API's default stage.
    Default: 100
  AdminEmail:
    Type: String
    Description: E-mail of the console's first admin (invited with a temporary password). Leave empty to add none.
    Default: ''
    AllowedPattern: '^$|^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$'
    ConstraintDescription: an e-mail address such as admin@example.co.jp, or empty
  AdminName:
    Type: String
    Description: The first admin's display name in the console.
    Default: 管理者
    MinLength: 1
    MaxLength: 100
  PageBucketName:
    Type: String
    Description: >-
      The S3 bucket the operator page is served from, where admins upload hold and wait music
      (music/; the settings function may put objects there and nowhere else). Leave empty where
      the page is elsewhere: uploads are then refused and music is named by URL.
    Default: ''
    AllowedPattern: '^$|^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$'
""")
if hooks:
    w(f"""  WebhookConcurrency:
    Type: Number
    Description: >-
      Reserved concurrency of the {hooks['name']} function, which Twilio calls at its function URL:
      kept for it, and the most a flood of unsigned requests can take from the other functions.
      Lambda keeps 100 of the account's concurrency unreserved: lower this on an account whose
      limit is below 100 + it.
    MinValue: 1
    Default: {hooks['functionUrl']['reservedConcurrency']}
""")
w("""  AlarmTopicArn:
    Type: String
    Description: SNS topic the log alarms (a dependency refusing requests for good) notify. Leave empty to see them in CloudWatch only.
    Default: ''
    AllowedPattern: '^$|^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$'

Conditions:
  ProtectData: !Equals [!Ref DeletionProtection, 'true']
  HasFirstAdmin: !Not [!Equals [!Ref AdminEmail, '']]
  HasAlarmTopic: !Not [!Equals [!Ref AlarmTopicArn, '']]

Globals:
  Function:
    Runtime: provided.al2023
    Architectures: [arm64]
    Handler: bootstrap
""")
w(f"""    MemorySize: {d['memoryMb']}
    Timeout: {d['timeoutSeconds']}
    Tracing: Active
    Environment:
      Variables:
        TABLE_NAME: !Ref OperatorConsoleTable
""")
if hooks:
    w(f"""        # Where Twilio calls the webhooks the functions hand it: the {hooks['name']} function URL's origin
        # (that function itself reads its URL from each request, see its own PUBLIC_BASE_URL).
        PUBLIC_BASE_URL: !Sub
          - https://${{Host}}
          - Host: !Select [2, !Split ['/', !GetAtt {HOOKS_URL}.FunctionUrl]]
""")
else:
    w("""        # Twilio signs the URL it calls: this is the URL the functions validate against.
        PUBLIC_BASE_URL: !Sub https://${OperatorApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}
""")
for k,v in d['env'].items():
    w(f"        {k}: {v}\n")
w("""
Resources:
  # --- Data ----------------------------------------------------------------------------------
  OperatorConsoleTable:
    Type: AWS::DynamoDB::Table
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - { AttributeName: PK, AttributeType: S }
        - { AttributeName: SK, AttributeType: S }
        - { AttributeName: GSI1PK, AttributeType: S }
        - { AttributeName: GSI1SK, AttributeType: S }
        - { AttributeName: GSI2PK, AttributeType: S }
        - { AttributeName: GSI2SK, AttributeType: S }
      KeySchema:
        - { AttributeName: PK, KeyType: HASH }
        - { AttributeName: SK, KeyType: RANGE }
      GlobalSecondaryIndexes:
        - IndexName: GSI1
          KeySchema:
            - { AttributeName: GSI1PK, KeyType: HASH }
            - { AttributeName: GSI1SK, KeyType: RANGE }
          Projection: { ProjectionType: ALL }
        - IndexName: GSI2
          KeySchema:
            - { AttributeName: GSI2PK, KeyType: HASH }
            - { AttributeName: GSI2SK, KeyType: RANGE }
          Projection: { ProjectionType: ALL }
      TimeToLiveSpecification: { AttributeName: expires_at, Enabled: true }
      # The live channel's push function reads every change from here.
      StreamSpecification: { StreamViewType: NEW_AND_OLD_IMAGES }
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }
      SSESpecification: { SSEEnabled: true }
      DeletionProtectionEnabled: !If [ProtectData, true, false]

  # Placeholder JSON with every key the functions read; auth_token is random so that no one can
  # forge a Twilio signature before the real credentials are stored (README: put-secret-value).
  TwilioCredentialsSecret:
    Type: AWS::SecretsManager::Secret
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      Name: !Sub ${AWS::StackName}/twilio
""")
sec = cat['secrets']['twilio']
tmpl = json.dumps({k: '' for k in sec['keys'] if k != 'auth_token'}, separators=(',', ':'))
# functions.json `throttle`: route-level limits of a function's routes on the stage, which
# names them and so depends on them.
throttled = [(r, fn) for fn in cat['functions'] if fn.get('throttle') for r in deployed_routes(fn)]
throttled_depends = f"    DependsOn: [{', '.join(route_id(fn, r) for r, fn in throttled)}]\n" if throttled else ''
throttled_routes = ''.join(
    f"        '{r['method']} {r['path']}':\n"
    f"          ThrottlingRateLimit: {fn['throttle']['rateLimit']}\n"
    f"          ThrottlingBurstLimit: {fn['throttle']['burstLimit']}\n"
    for r, fn in throttled
)
if throttled_routes:
    throttled_routes = "      RouteSettings:\n" + throttled_routes
w(f"""      Description: {sec['description']}
      GenerateSecretString:
        SecretStringTemplate: '{tmpl}'
        GenerateStringKey: auth_token
        ExcludePunctuation: true
        PasswordLength: 32

  # --- Sign-in -------------------------------------------------------------------------------
  OperatorUserPool:
    Type: AWS::Cognito::UserPool
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      UserPoolName: !Sub ${{AWS::StackName}}-operators
      AdminCreateUserConfig:
        AllowAdminCreateUserOnly: true
      UsernameAttributes: [email]
      UsernameConfiguration: {{ CaseSensitive: false }}
      AutoVerifiedAttributes: [email]
      Schema:
        - {{ Name: email, AttributeDataType: String, Required: true, Mutable: true }}
      Policies:
        PasswordPolicy:
          MinimumLength: 12
          RequireLowercase: true
          RequireUppercase: true
          RequireNumbers: true
          RequireSymbols: false
          TemporaryPasswordValidityDays: 3
      MfaConfiguration: OPTIONAL
      EnabledMfas: [SOFTWARE_TOKEN_MFA]
      AccountRecoverySetting:
        RecoveryMechanisms:
          - {{ Name: verified_email, Priority: 1 }}
      DeletionProtection: !If [ProtectData, ACTIVE, INACTIVE]
      LambdaConfig:
        PreTokenGeneration: !GetAtt RoleGuardFunction.Arn

  AdminGroup:
    Type: AWS::Cognito::UserPoolGroup
    Properties: {{ UserPoolId: !Ref OperatorUserPool, GroupName: admin, Precedence: 10, Description: 'Administrators: settings, operators, lines, call lists' }}
  SupervisorGroup:
    Type: AWS::Cognito::UserPoolGroup
    Properties: {{ UserPoolId: !Ref OperatorUserPool, GroupName: supervisor, Precedence: 20, Description: 'Supervisors: monitoring and everything an operator does' }}
  OperatorGroup:
    Type: AWS::Cognito::UserPoolGroup
    Properties: {{ UserPoolId: !Ref OperatorUserPool, GroupName: operator, Precedence: 30, Description: 'Operators: take and place calls' }}

  # The first admin, from AdminEmail; kept when the parameter is emptied or the stack deleted.
  FirstAdminUser:
    Type: AWS::Cognito::UserPoolUser
    Condition: HasFirstAdmin
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      UserPoolId: !Ref OperatorUserPool
      Username: !Ref AdminEmail
      DesiredDeliveryMediums: [EMAIL]
      UserAttributes:
        - {{ Name: email, Value: !Ref AdminEmail }}
        - {{ Name: email_verified, Value: 'true' }}
        - {{ Name: name, Value: !Ref AdminName }}
  FirstAdminMembership:
    Type: AWS::Cognito::UserPoolUserToGroupAttachment
    Condition: HasFirstAdmin
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    DependsOn: [FirstAdminUser, AdminGroup]
    Properties:
      UserPoolId: !Ref OperatorUserPool
      Username: !Ref AdminEmail
      GroupName: admin

  HostedUiDomain:
    Type: AWS::Cognito::UserPoolDomain
    Properties:
      UserPoolId: !Ref OperatorUserPool
      Domain: !Ref CognitoDomainPrefix

  OperatorPageClient:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref OperatorUserPool
      ClientName: operator-page
      GenerateSecret: false
      ExplicitAuthFlows: [ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
      AllowedOAuthFlowsUserPoolClient: true
      AllowedOAuthFlows: [code]
      # aws.cognito.signin.user.admin lets the page register the user's own authenticator (TOTP).
      AllowedOAuthScopes: [openid, email, profile, aws.cognito.signin.user.admin]
      CallbackURLs:
        - !Sub ${{PageOrigin}}/auth/callback
      LogoutURLs:
        - !Sub ${{PageOrigin}}/
      SupportedIdentityProviders: [COGNITO]
      PreventUserExistenceErrors: ENABLED
      EnableTokenRevocation: true
      AccessTokenValidity: 60
      IdTokenValidity: 60
      RefreshTokenValidity: 720
      TokenValidityUnits: {{ AccessToken: minutes, IdToken: minutes, RefreshToken: minutes }}

  # --- HTTP API ------------------------------------------------------------------------------
  # Plain ApiGatewayV2 resources rather than AWS::Serverless::HttpApi events: an HttpApi's
  # generated definition names every function, so PUBLIC_BASE_URL (which names the API) in the
  # functions' environment would be a circular dependency. This is also how CDK lays it out.
  OperatorApi:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: !Sub ${{AWS::StackName}}-api
      Description: Operator console API (/api/*, Cognito JWT) and Twilio webhooks (/twilio/*, signature)
      ProtocolType: HTTP
      CorsConfiguration:
        AllowOrigins: [!Ref PageOrigin]
        # API Gateway answers CORS preflights itself: no authorized route is ANY or OPTIONS
        # (an ANY route would capture the preflight, which carries no token, and fail it).
        AllowMethods: [{', '.join(cat['apiMethods'])}]
        AllowHeaders: [authorization, content-type, if-match]
        ExposeHeaders: [etag]
        MaxAge: 3600

  OperatorApiAccessLogs:
    Type: AWS::Logs::LogGroup
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      RetentionInDays: !Ref LogRetentionDays

  OperatorApiDefaultStage:
    Type: AWS::ApiGatewayV2::Stage
{throttled_depends}    Properties:
      ApiId: !Ref OperatorApi
      StageName: $default
      AutoDeploy: true
      DefaultRouteSettings:
        ThrottlingRateLimit: !Ref ApiRateLimit
        ThrottlingBurstLimit: !Ref ApiBurstLimit
{throttled_routes}      AccessLogSettings:
        DestinationArn: !GetAtt OperatorApiAccessLogs.Arn
        # Route keys, not paths: paths can carry phone numbers.
        Format: '{{"requestId":"$context.requestId","time":"$context.requestTime","ip":"$context.identity.sourceIp","routeKey":"$context.routeKey","status":"$context.status","latencyMs":"$context.responseLatency","integrationError":"$context.integrationErrorMessage","authorizerError":"$context.authorizer.error"}}'

  CognitoJwtAuthorizer:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties:
      ApiId: !Ref OperatorApi
      Name: cognito-jwt
      AuthorizerType: JWT
      IdentitySource: [$request.header.Authorization]
      JwtConfiguration:
        Issuer: !Sub https://cognito-idp.${{AWS::Region}}.amazonaws.com/${{OperatorUserPool}}
        Audience: [!Ref OperatorPageClient]
""")
for fn in cat['functions']:
    P = pascal(fn['name'])
    w(f"\n  # --- {fn['name']} " + '-' * (86 - len(fn['name'])) + "\n")
    w(f"""  {P}Function:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: rust-cargolambda
      BuildProperties:
        Binary: {fn['package']}
    Properties:
      CodeUri: ../../{fn['crateDir']}
      Description: {json.dumps(fn['description'], ensure_ascii=False)}
""")
    if fn.get('memoryMb', d['memoryMb']) != d['memoryMb']:
        w(f"      MemorySize: {fn['memoryMb']}\n")
    if fn.get('timeoutSeconds', d['timeoutSeconds']) != d['timeoutSeconds']:
        w(f"      Timeout: {fn['timeoutSeconds']}\n")
    w(f"""      LoggingConfig:
        LogGroup: !Ref {P}FunctionLogs
""")
    if fn.get('functionUrl'):
        # Twilio calls it here, auth type NONE: it checks Twilio's signature before it reads or
        # writes anything. SAM grants lambda:InvokeFunctionUrl (auth type NONE) and
        # lambda:InvokeFunction (through the function URL only) to everyone, as CDK does.
        w("""      FunctionUrlConfig:
        AuthType: NONE
        InvokeMode: BUFFERED
      ReservedConcurrentExecutions: !Ref WebhookConcurrency
""")
    if fn['secrets'] or fn.get('userPool') or fn.get('pageBucket') or fn.get('functionUrl'):
        w("""      Environment:
        Variables:
""")
    if fn.get('functionUrl'):
        w("""          # The region's function URL domain: the function's own URL cannot be named here
          # (a cycle); it reads it from each request (functions/voice/src/origin.rs).
          PUBLIC_BASE_URL: !Sub https://lambda-url.${AWS::Region}.on.aws
""")
    if fn['secrets']:
        w("""          TWILIO_SECRET_ARN: !Ref TwilioCredentialsSecret
""")
    if fn.get('userPool'):
        w("""          USER_POOL_ID: !Ref OperatorUserPool
""")
    if fn.get('pageBucket'):
        w("""          PAGE_BUCKET: !Ref PageBucketName
""")
    write_policies(fn)
    if fn.get('userPool'):
        w("""            - Sid: UserPoolAdmin
              Effect: Allow
              Action:
""")
        for a in fn['userPool']['actions']:
            w(f"                - {a}\n")
        w("""              Resource: !GetAtt OperatorUserPool.Arn
""")
    if fn.get('pageBucket'):
        pb = fn['pageBucket']
        w("""            - Sid: PageBucketObjects
              Effect: Allow
              Action:
""")
        for a in pb['actions']:
            w(f"                - {a}\n")
        w(f"""              Resource: !Sub arn:${{AWS::Partition}}:s3:::${{PageBucketName}}/{pb['prefix']}*
""")
    w(f"""  {P}FunctionLogs:
    Type: AWS::Logs::LogGroup
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      RetentionInDays: !Ref LogRetentionDays
""")
    for la in cat['logAlarms']:
        w(f"""  {P}{la['metric']}Filter:
    Type: AWS::Logs::MetricFilter
    Properties:
      LogGroupName: !Ref {P}FunctionLogs
      FilterPattern: {json.dumps(la['pattern'])}
      MetricTransformations:
        - MetricNamespace: {LOG_METRIC_NAMESPACE}
          MetricName: {la['metric']}
          MetricValue: '1'
""")
    if not deployed_routes(fn):
        continue
    w(f"""  {P}Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref OperatorApi
      IntegrationType: AWS_PROXY
      IntegrationUri: !GetAtt {P}Function.Arn
      PayloadFormatVersion: '2.0'
""")
    for r in deployed_routes(fn):
        rid = route_id(fn, r)
        w(f"""  {rid}:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref OperatorApi
      RouteKey: {r['method']} {r['path']}
      Target: !Sub integrations/${{{P}Integration}}
""")
        if route_authorizer(fn, r) == 'jwt':
            w("""      AuthorizationType: JWT
      AuthorizerId: !Ref CognitoJwtAuthorizer
""")
        else:
            w("""      AuthorizationType: NONE
""")
    # One permission per route path, as the CDK app grants them: API Gateway invokes with the
    # route's own path in the source ARN, so a prefix of the first route misses the others.
    for path in dict.fromkeys(r['path'] for r in fn['routes']):
        pid = route_id(fn, {'method': 'ANY', 'path': path}).replace('Route', 'ApiPermission', 1)
        w(f"""  {pid}:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref {P}Function
      Principal: apigateway.amazonaws.com
      SourceArn: !Sub arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{OperatorApi}}/*/*{path}
""")
for t in cat.get('triggers', []):
    P = pascal(t['name'])
    w(f"\n  # --- {t['name']} (user pool trigger) " + '-' * (68 - len(t['name'])) + "\n")
    w(f"""  {P}Function:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: rust-cargolambda
      BuildProperties:
        Binary: {t['package']}
    Properties:
      CodeUri: ../../{t['crateDir']}
      Description: {json.dumps(t['description'], ensure_ascii=False)}
      MemorySize: {t.get('memoryMb', d['memoryMb'])}
      Timeout: {t.get('timeoutSeconds', d['timeoutSeconds'])}
      LoggingConfig:
        LogGroup: !Ref {P}FunctionLogs
  {P}FunctionLogs:
    Type: AWS::Logs::LogGroup
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      RetentionInDays: !Ref LogRetentionDays
  # A policy of its own on the function's generated role: the pool names the function, so a
  # grant inside the function (which would name the pool) would make a cycle.
  {P}UserPoolAccess:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: {P}UserPoolAccess
      Roles: [!Ref {P}FunctionRole]
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Sid: UserPoolAccess
            Effect: Allow
            Action: [{', '.join(t['userPool']['actions'])}]
            Resource: !GetAtt OperatorUserPool.Arn
  {P}InvokedByUserPool:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref {P}Function
      Principal: cognito-idp.amazonaws.com
      SourceArn: !GetAtt OperatorUserPool.Arn
""")
for job in cat.get('scheduled', []):
    P = pascal(job['name'])
    w(f"\n  # --- {job['name']} (scheduled) " + '-' * (74 - len(job['name'])) + "\n")
    w(f"""  {P}Function:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: rust-cargolambda
      BuildProperties:
        Binary: {job['package']}
    Properties:
      CodeUri: ../../{job['crateDir']}
      Description: {json.dumps(job['description'], ensure_ascii=False)}
      MemorySize: {job.get('memoryMb', d['memoryMb'])}
      Timeout: {job.get('timeoutSeconds', d['timeoutSeconds'])}
      LoggingConfig:
        LogGroup: !Ref {P}FunctionLogs
""")
    if job['secrets']:
        w("""      Environment:
        Variables:
          TWILIO_SECRET_ARN: !Ref TwilioCredentialsSecret
""")
    # A failed run is not retried: the next one comes within the schedule's period.
    w(f"""      Events:
        {P}Schedule:
          Type: Schedule
          Properties:
            Schedule: {job['schedule']}
            Description: {json.dumps('Runs ' + job['name'] + ': ' + job['schedule'])}
            RetryPolicy:
              MaximumRetryAttempts: 0
""")
    write_policies(job)
    w(f"""  {P}FunctionLogs:
    Type: AWS::Logs::LogGroup
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      RetentionInDays: !Ref LogRetentionDays
""")

live = cat['live']
LF = live['functions']
assert live['stream']['viewType'] == 'NEW_AND_OLD_IMAGES'


def live_route_id(key):
    """`$connect` -> `LiveConnectRoute`, as infra/lib/live-channel.ts names its integrations."""
    bare = key.lstrip('$')
    return 'Live' + bare[:1].upper() + bare[1:] + 'Route'


def lambda_uri(function_id):
    return f"!Sub arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{{function_id}.Arn}}/invocations"


def live_function(role, environment, statements):
    fn = LF[role]
    P = pascal(fn['name'])
    w(f"""  {P}Function:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: rust-cargolambda
      BuildProperties:
        Binary: {fn['package']}
    Properties:
      CodeUri: ../../{fn['crateDir']}
      Description: {json.dumps(fn['description'], ensure_ascii=False)}
      MemorySize: {fn.get('memoryMb', d['memoryMb'])}
      Timeout: {fn.get('timeoutSeconds', d['timeoutSeconds'])}
      LoggingConfig:
        LogGroup: !Ref {P}FunctionLogs
""")
    if environment:
        w("""      Environment:
        Variables:
""")
        for k, v in environment:
            w(f"          {k}: {v}\n")
    if statements:
        w("""      Policies:
        - Statement:
""")
        for st in statements:
            w(st)
    w(f"""  {P}FunctionLogs:
    Type: AWS::Logs::LogGroup
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      RetentionInDays: !Ref LogRetentionDays
""")


def table_statement(sid, actions):
    return f"""            - Sid: {sid}
              Effect: Allow
              Action: [{', '.join(actions)}]
              Resource: !GetAtt OperatorConsoleTable.Arn
"""


stage = live['stage']
w(f"""
  # --- live channel (WebSocket API, its functions, the table's stream) -----------------------
  # The same channel as infra/lib/live-channel.ts, from the 'live' entry of functions.json. This
  # template deploys no page: serve the stage at /{stage} on the page's origin (the page opens
  # wss://<its own host>/{stage}), as the CDK app's distribution does.
  LiveApi:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: !Sub ${{AWS::StackName}}-live
      Description: 'Operator console live channel: changes pushed to the page (subprotocol console.v1)'
      ProtocolType: WEBSOCKET
      RouteSelectionExpression: '{live['routeSelectionExpression']}'

  # $connect only: the ID token offered as the bearer.<token> subprotocol, never in the URL.
  LiveAuthorizer:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties:
      ApiId: !Ref LiveApi
      Name: live-subprotocol-token
      AuthorizerType: REQUEST
      IdentitySource: [{live['identitySource']}]
      AuthorizerUri: {lambda_uri('LiveAuthorizerFunction')}
  LiveAuthorizerPermission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !GetAtt LiveAuthorizerFunction.Arn
      Principal: apigateway.amazonaws.com
      SourceArn: !Sub arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{LiveApi}}/authorizers/${{LiveAuthorizer}}

  LiveIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref LiveApi
      IntegrationType: AWS_PROXY
      IntegrationUri: {lambda_uri('LiveFunction')}
""")
for r in live['routes']:
    rid = live_route_id(r['key'])
    w(f"""  {rid}:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref LiveApi
      RouteKey: {r['key']}
      Target: !Sub integrations/${{LiveIntegration}}
""")
    if r['authorizer']:
        w("""      AuthorizationType: CUSTOM
      AuthorizerId: !Ref LiveAuthorizer
""")
    else:
        w("""      AuthorizationType: NONE
""")
    if r['returnResponse']:
        w(f"""      RouteResponseSelectionExpression: $default
  {rid}Response:
    Type: AWS::ApiGatewayV2::RouteResponse
    Properties:
      ApiId: !Ref LiveApi
      RouteId: !Ref {rid}
      RouteResponseKey: $default
""")
    # As the CDK app grants them: one permission per route.
    w(f"""  {rid}Permission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !GetAtt LiveFunction.Arn
      Principal: apigateway.amazonaws.com
      SourceArn: !Sub arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{LiveApi}}/*{r['key']}
""")
w(f"""  LiveStage:
    Type: AWS::ApiGatewayV2::Stage
    DependsOn: [{', '.join(live_route_id(r['key']) for r in live['routes'])}]
    Properties:
      ApiId: !Ref LiveApi
      StageName: {stage}
      AutoDeploy: true
      DefaultRouteSettings:
        ThrottlingRateLimit: {live['throttle']['rateLimit']}
        ThrottlingBurstLimit: {live['throttle']['burstLimit']}

""")
live_function('routes', [], [table_statement('LiveConnections', LF['routes']['table']['actions'])])
# The authorizer reads no table: the globals' table and base URL are taken out of its environment.
live_function('authorizer', [
    ('TABLE_NAME', '!Ref AWS::NoValue'),
    ('PUBLIC_BASE_URL', '!Ref AWS::NoValue'),
    ('JWT_ISSUER', '!Sub https://cognito-idp.${AWS::Region}.amazonaws.com/${OperatorUserPool}'),
    ('JWT_AUDIENCE', '!Ref OperatorPageClient'),
], [])
live_function('push', [
    ('LIVE_ENDPOINT', f"!Sub https://${{LiveApi}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/{stage}"),
], [
    table_statement('LiveAudiences', LF['push']['table']['actions']),
    # Reading the stream (as the event source mapping does with the function's role).
    """            - Sid: StreamRead
              Effect: Allow
              Action: [dynamodb:DescribeStream, dynamodb:GetRecords, dynamodb:GetShardIterator]
              Resource: !GetAtt OperatorConsoleTable.StreamArn
            - Sid: StreamList
              Effect: Allow
              Action: dynamodb:ListStreams
              Resource: '*'
""",
    # PostToConnection on this stage's connections only.
    f"""            - Sid: LiveManageConnections
              Effect: Allow
              Action: execute-api:ManageConnections
              Resource: !Sub arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{LiveApi}}/{stage}/POST/@connections/*
""",
])
st = live['stream']
w(f"""  # A plain mapping rather than a SAM DynamoDB event: that event would also attach
  # AWSLambdaDynamoDBExecutionRole, which reads every stream of the account.
  PushStreamMapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref PushFunction
      EventSourceArn: !GetAtt OperatorConsoleTable.StreamArn
      StartingPosition: {st['startingPosition']}
      BatchSize: {st['batchSize']}
      MaximumBatchingWindowInSeconds: {st['maximumBatchingWindowSeconds']}
      BisectBatchOnFunctionError: true
      FunctionResponseTypes: [ReportBatchItemFailures]
      MaximumRetryAttempts: {st['retryAttempts']}
      MaximumRecordAgeInSeconds: {st['maximumRecordAgeSeconds']}
      FilterCriteria:
        Filters:
""")
for prefix in st['watchedKeyPrefixes']:
    pattern = json.dumps({'dynamodb': {'Keys': {'PK': {'S': [{'prefix': prefix}]}}}}, separators=(',', ':'))
    w(f"          - Pattern: '{pattern}'\n")
w("""
  # --- Log alarms (counted from every HTTP function's log group) ---------------------------
""")
for la in cat['logAlarms']:
    w(f"""  {la['metric']}Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: {json.dumps(la['description'], ensure_ascii=False)}
      Namespace: {LOG_METRIC_NAMESPACE}
      MetricName: {la['metric']}
      Statistic: Sum
      Period: 300
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
      TreatMissingData: notBreaching
      AlarmActions: !If [HasAlarmTopic, [!Ref AlarmTopicArn], !Ref AWS::NoValue]
      OKActions: !If [HasAlarmTopic, [!Ref AlarmTopicArn], !Ref AWS::NoValue]
""")
w("""
Outputs:
""")
# The function URL ends with '/': the webhooks' paths follow it without one.
hooks_base = f"${{{HOOKS_URL}.FunctionUrl}}" if hooks else "https://${OperatorApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/"
w(f"""  TwilioVoiceUrl:
    Description: 'Twilio number > Voice configuration > "A call comes in": Webhook, HTTP POST'
    Value: !Sub {hooks_base}twilio/voice/incoming
  TwilioStatusCallbackUrl:
    Description: 'Twilio number > "Call status changes": HTTP POST (keep the #rc=... part: it makes Twilio retry)'
    Value: !Sub '{hooks_base}twilio/voice/status#rc=3&rp=ct,rt,5xx'
  TwilioTwimlAppVoiceUrl:
    Description: 'TwiML App > Voice Request URL: HTTP POST'
    Value: !Sub {hooks_base}twilio/voice/outbound
""")
if hooks:
    w(f"""  TwilioWebhookBaseUrl:
    Description: Where Twilio calls the webhooks, the {hooks['name']} function URL (PUBLIC_BASE_URL of the other functions)
    Value: !Sub
      - https://${{Host}}
      - Host: !Select [2, !Split ['/', !GetAtt {HOOKS_URL}.FunctionUrl]]
""")
w("""  ApiUrl:
    Description: HTTP API base URL (the page's API)
    Value: !Sub https://${OperatorApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}
  UserPoolId:
    Description: 'Cognito user pool: create users and add them to groups here'
    Value: !Ref OperatorUserPool
  UserPoolClientId:
    Description: App client of the page (config.json userPoolClientId)
    Value: !Ref OperatorPageClient
  HostedUiDomain:
    Description: Cognito hosted UI base URL (config.json cognitoDomain)
    Value: !Sub https://${CognitoDomainPrefix}.auth.${AWS::Region}.amazoncognito.com
  TwilioSecretName:
    Description: Secrets Manager secret to put the Twilio credentials JSON into
    Value: !Sub ${AWS::StackName}/twilio
  LiveUrl:
    Description: 'The live channel (WebSocket, subprotocols console.v1 and bearer.<ID token>): serve it at /live on the page origin'
    Value: !Sub wss://${LiveApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/live
""")
text = ''.join(out)
if sys.argv[1:] == ['--check']:
    with open(TEMPLATE, encoding='utf-8') as f:
        if f.read() != text:
            sys.exit('sam/template.yaml is not what sam/generate.py writes: run python3 sam/generate.py')
    print('sam/template.yaml is up to date')
else:
    with open(TEMPLATE, 'w', encoding='utf-8') as f:
        f.write(text)
    print('wrote', TEMPLATE)
