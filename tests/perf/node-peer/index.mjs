// The incoming-call webhook as a Node.js Lambda, written the way Twilio's documentation writes
// it: the `twilio` helper library validates the signature and builds the TwiML, the AWS SDK v3
// reads the Twilio secret at cold start and talks to DynamoDB. It does what the Rust `voice`
// function's incoming webhook does — check the signature, look the caller up, record and queue
// the call in one transaction, park the caller in a conference named after the CallSid — so the
// two can be started and timed side by side through the same Lambda Runtime API harness.
//
// The Runtime API loop is written out (Node's managed runtime does this for a real Lambda), so
// the peer runs anywhere `AWS_LAMBDA_RUNTIME_API` points.

import twilio from 'twilio';
import { DynamoDBClient, QueryCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';

const api = `http://${process.env.AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime`;
const table = process.env.TABLE_NAME;
const base = process.env.PUBLIC_BASE_URL.replace(/\/$/, '');
const dynamo = new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT });
const secrets = new SecretsManagerClient({});
const secret = JSON.parse(
  (await secrets.send(new GetSecretValueCommand({ SecretId: process.env.TWILIO_SECRET_ARN }))).SecretString,
);

async function incoming(event) {
  const body = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString() : event.body;
  const params = Object.fromEntries(new URLSearchParams(body));
  const url = `${base}${event.rawPath}`;
  const signature = event.headers['x-twilio-signature'] ?? '';
  if (!twilio.validateRequest(secret.auth_token, signature, url, params)) {
    return { statusCode: 403, body: 'invalid Twilio signature' };
  }
  const sid = params.CallSid;
  const from = params.From;
  const found = await dynamo.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :rec)',
      ExpressionAttributeValues: { ':pk': { S: `PHONE#${from}` }, ':rec': { S: 'REC#' } },
    }),
  );
  const account = found.Items?.[0]?.id?.S;
  const at = new Date().toISOString();
  const call = {
    PK: { S: `CALL#${sid}` },
    SK: { S: 'CALL' },
    sid: { S: sid },
    direction: { S: 'inbound' },
    customer: { S: from },
    status: { S: 'waiting' },
    started_at: { S: at },
    GSI1PK: { S: `PHONE#${from}` },
    GSI1SK: { S: `CALL#${at}#${sid}` },
  };
  if (account) call.account_id = { S: account };
  await dynamo.send(
    new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: table, Item: call, ConditionExpression: 'attribute_not_exists(PK)' } },
        { Put: { TableName: table, Item: { PK: { S: 'QUEUE' }, SK: { S: `${at}#${sid}` }, sid: { S: sid } } } },
      ],
    }),
  );
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

for (;;) {
  const next = await fetch(`${api}/invocation/next`);
  const id = next.headers.get('lambda-runtime-aws-request-id');
  const event = await next.json();
  try {
    const result = await incoming(event);
    await fetch(`${api}/invocation/${id}/response`, { method: 'POST', body: JSON.stringify(result) });
  } catch (e) {
    await fetch(`${api}/invocation/${id}/error`, {
      method: 'POST',
      body: JSON.stringify({ errorMessage: String(e), errorType: 'Error' }),
    });
  }
}
