// The incoming-call webhook and the screen-pop lookup as a Node.js Lambda, written the way
// Twilio's and AWS's documentation write them: the `twilio` helper library validates the
// signature and builds the TwiML, the AWS SDK v3 talks to DynamoDB. It does what the Rust
// functions do on the same table:
//
// - `POST /twilio/voice/incoming` (the `voice` function): check the signature, look the caller up,
//   record the call (with the caller's account and contact, filed under the number and the
//   account) and queue it in one transaction (a retried webhook finds it recorded), park the
//   caller in a conference named after the CallSid;
// - `GET /api/crm/lookup?phone=` (the `crm` function): the records filed under a number, the
//   accounts of its contacts, and the special notes the settings name, settings cached 5 s.
//
// Reads are strongly consistent, as the console's DynamoDB adapter makes every read of the table.
//
// Two ways to run the same handlers:
// - `node index.mjs`: a Lambda Runtime API loop (written out; Node's managed runtime does this
//   for a real Lambda), so it runs anywhere `AWS_LAMBDA_RUNTIME_API` points (tests/perf/coldstart.py);
// - `node index.mjs --http PORT`: a plain HTTP server on 127.0.0.1 that turns each request into the
//   API Gateway event the handlers get on Lambda, verifying the bearer token (HS256, the key in
//   `DEV_SIGNIN_SECRET_FILE`) as the console's local runtime stands in for API Gateway's JWT
//   authorizer (tests/perf/loopback.sh).
//
// Environment: TABLE_NAME, PUBLIC_BASE_URL, DYNAMODB_ENDPOINT (optional), and the Twilio auth
// token from Secrets Manager (TWILIO_SECRET_ARN) or, on loopback, TWILIO_AUTH_TOKEN.

import http from 'node:http';
import { readFileSync } from 'node:fs';
import twilio from 'twilio';
import jwt from 'jsonwebtoken';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import {
  BatchGetItemCommand,
  DynamoDBClient,
  QueryCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { unmarshall } from '@aws-sdk/util-dynamodb';

const table = process.env.TABLE_NAME;
const base = process.env.PUBLIC_BASE_URL.replace(/\/$/, '');
const dynamo = new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT });
const authToken = process.env.TWILIO_SECRET_ARN
  ? JSON.parse(
      (await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: process.env.TWILIO_SECRET_ARN })))
        .SecretString,
    ).auth_token
  : process.env.TWILIO_AUTH_TOKEN;

const json = (statusCode, value) => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});
const error = (statusCode, code, message) => json(statusCode, { error: { code, message } });

async function incoming(event) {
  const body = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString() : event.body;
  const params = Object.fromEntries(new URLSearchParams(body));
  const url = `${base}${event.rawPath}`;
  const signature = event.headers['x-twilio-signature'] ?? '';
  if (!twilio.validateRequest(authToken, signature, url, params)) {
    return { statusCode: 403, body: 'invalid Twilio signature' };
  }
  const sid = params.CallSid;
  const from = params.From;
  const found = await dynamo.send(
    new QueryCommand({
      TableName: table,
      ConsistentRead: true,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :rec)',
      ExpressionAttributeValues: { ':pk': { S: `PHONE#${from}` }, ':rec': { S: 'REC#' } },
    }),
  );
  const filed = (object) => found.Items?.find((i) => i.object?.S === object)?.id?.S;
  const account = filed('account');
  const contact = filed('contact');
  const at = new Date().toISOString();
  const call = {
    PK: { S: `CALL#${sid}` },
    SK: { S: 'CALL' },
    sid: { S: sid },
    direction: { S: 'inbound' },
    customer: { S: from },
    customer_display: { S: parsePhoneNumberFromString(from)?.formatNational() ?? from },
    line: { S: params.To },
    status: { S: 'waiting' },
    started_at: { S: at },
    queue_sk: { S: `${at}#${sid}` },
    GSI1PK: { S: `PHONE#${from}` },
    GSI1SK: { S: `CALL#${at}#${sid}` },
  };
  if (account) {
    call.account_id = { S: account };
    call.GSI2PK = { S: `ACC#${account}` };
    call.GSI2SK = { S: `CALL#${at}#${sid}` };
  }
  if (contact) call.contact_id = { S: contact };
  try {
    await dynamo.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: table, Item: call, ConditionExpression: 'attribute_not_exists(PK)' } },
          {
            Put: {
              TableName: table,
              Item: { PK: { S: 'QUEUE' }, SK: { S: `${at}#${sid}` }, sid: { S: sid }, enqueued_at: { S: at } },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
        ],
      }),
    );
  } catch (e) {
    // A retried webhook: the call is already recorded and queued.
    if (e.name !== 'TransactionCanceledException' || e.CancellationReasons?.[0]?.Code !== 'ConditionalCheckFailed') {
      throw e;
    }
  }
  const response = new twilio.twiml.VoiceResponse();
  response.say({ voice: 'Polly.Mizuki', language: 'ja-JP' }, 'お電話ありがとうございます。ただいまおつなぎいたします。');
  const dial = response.dial();
  dial.conference(
    {
      participantLabel: 'customer',
      startConferenceOnEnter: false,
      endConferenceOnExit: true,
      beep: 'false',
      waitUrl: `${base}/twilio/voice/wait`,
      waitMethod: 'POST',
      statusCallback: `${base}/twilio/voice/conference`,
      statusCallbackEvent: ['start', 'end', 'join', 'leave', 'hold', 'modify'],
      statusCallbackMethod: 'POST',
    },
    sid,
  );
  return { statusCode: 200, headers: { 'content-type': 'text/xml; charset=utf-8' }, body: response.toString() };
}

// Settings sections as stored (`SETTINGS` partition, one item per section), cached per instance.
let settingsCache = { at: 0, value: null };
async function settings() {
  if (settingsCache.value && Date.now() - settingsCache.at < 5000) return settingsCache.value;
  const page = await dynamo.send(
    new QueryCommand({
      TableName: table,
      ConsistentRead: true,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': { S: 'SETTINGS' } },
      Limit: 100,
    }),
  );
  const value = Object.fromEntries((page.Items ?? []).map(unmarshall).map((i) => [i.SK, i.value]));
  settingsCache = { at: Date.now(), value };
  return value;
}

const KEYS = ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'phones', 'tokens', 'search_sig'];
function record(item) {
  const r = unmarshall(item);
  for (const k of KEYS) delete r[k];
  return r;
}

// The console's default special notes, in force while no admin has stored that section.
const DEFAULT_NOTES = [
  { object: 'account', field: 'rank' },
  { object: 'account', field: 'notes' },
  { object: 'contact', field: 'notes' },
];

function notes(s, r) {
  const def = (s.objects ?? []).find((o) => o.name === r.object);
  if (!def) return [];
  return (s.special_notes ?? DEFAULT_NOTES)
    .filter((n) => n.object === r.object)
    .flatMap((n) => {
      const field = def.fields.find((f) => f.name === n.field);
      const v = r.fields?.[n.field];
      if (!field || v === undefined) return [];
      let value;
      if (typeof v === 'string' && field.type === 'select') {
        value = field.options.find((o) => o.value === v)?.label ?? v;
      } else if (typeof v === 'string' && field.type === 'phone') {
        value = parsePhoneNumberFromString(v, 'JP')?.formatNational() ?? v;
      } else if (typeof v === 'string') {
        value = v;
      } else if (typeof v === 'boolean') {
        value = v ? '✓' : '—';
      } else {
        value = JSON.stringify(v);
      }
      return [{ field: n.field, label: field.label, value }];
    });
}

async function lookup(event) {
  if (!event.requestContext?.authorizer?.jwt?.claims?.sub) {
    return error(401, 'unauthorized', 'sign in again');
  }
  const raw = new URLSearchParams(event.rawQueryString ?? '').get('phone') ?? '';
  const phone = parsePhoneNumberFromString(raw.normalize('NFKC'), 'JP');
  if (!phone?.isValid()) return error(422, 'invalid_phone', 'not a phone number');
  const s = await settings();
  const page = await dynamo.send(
    new QueryCommand({
      TableName: table,
      ConsistentRead: true,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :rec)',
      ExpressionAttributeValues: { ':pk': { S: `PHONE#${phone.number}` }, ':rec': { S: 'REC#' } },
      Limit: 200,
    }),
  );
  const records = (page.Items ?? []).map(record);
  const accounts = records.filter((r) => r.object === 'account');
  const contacts = records.filter((r) => r.object === 'contact');
  const others = records.filter((r) => r.object !== 'account' && r.object !== 'contact');
  const missing = [
    ...new Set(contacts.map((c) => c.account_id).filter((a) => a && !accounts.some((x) => x.id === a))),
  ].slice(0, 100);
  let viaContact = [];
  if (missing.length) {
    const got = await dynamo.send(
      new BatchGetItemCommand({
        RequestItems: {
          [table]: {
            ConsistentRead: true,
            Keys: missing.map((a) => ({ PK: { S: `REC#account#${a}` }, SK: { S: 'REC' } })),
          },
        },
      }),
    );
    viaContact = (got.Responses?.[table] ?? []).map(record);
  }
  const match = (by) => (r) => ({ record: r, special_notes: notes(s, r), matched_by: by });
  others.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return json(200, {
    phone: phone.number,
    display: phone.formatNational(),
    accounts: [...accounts.map(match('phone')), ...viaContact.map(match('contact'))],
    contacts: contacts.map(match('phone')),
    others,
  });
}

async function handle(event) {
  const route = `${event.requestContext.http.method} ${event.rawPath}`;
  try {
    if (route === 'POST /twilio/voice/incoming') return await incoming(event);
    if (route === 'GET /api/crm/lookup') return await lookup(event);
    return error(404, 'not_found', 'no such route');
  } catch (e) {
    console.error(e);
    return error(500, 'internal', 'something went wrong on our side; try again');
  }
}

// On loopback: API Gateway's HTTP API event built from a plain request, with the claims of a
// verified bearer token where the JWT authorizer would put them.
function serve(port) {
  const key = process.env.DEV_SIGNIN_SECRET_FILE ? readFileSync(process.env.DEV_SIGNIN_SECRET_FILE) : null;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const [rawPath, rawQueryString = ''] = req.url.split('?', 2);
      const event = {
        version: '2.0',
        rawPath,
        rawQueryString,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
        isBase64Encoded: false,
        requestContext: { http: { method: req.method, path: rawPath } },
      };
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (bearer && key) {
        try {
          event.requestContext.authorizer = { jwt: { claims: jwt.verify(bearer, key, { algorithms: ['HS256'] }) } };
        } catch {
          // Left without claims: the handler answers 401, as API Gateway would refuse it.
        }
      }
      const out = await handle(event);
      res.writeHead(out.statusCode, out.headers ?? {});
      res.end(out.body ?? '');
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(port, '127.0.0.1', () => console.log(`node peer listening on http://127.0.0.1:${port}`));
}

const httpAt = process.argv.indexOf('--http');
if (httpAt >= 0) {
  serve(Number(process.argv[httpAt + 1]));
} else {
  const api = `http://${process.env.AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime`;
  for (;;) {
    const next = await fetch(`${api}/invocation/next`);
    const id = next.headers.get('lambda-runtime-aws-request-id');
    const event = await next.json();
    const result = await handle(event);
    await fetch(`${api}/invocation/${id}/response`, { method: 'POST', body: JSON.stringify(result) });
  }
}
