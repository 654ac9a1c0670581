// The CDK stack as deployed: the API walk, then the page in Chromium on its CloudFront name.
import { after, before, test } from 'node:test';
import { reachStackThroughFront } from './lib/client.mjs';
import { startCdkRehearsal } from './lib/stacks.mjs';
import { walkTheLiveChannel } from './lib/live.mjs';
import { walkTheApi } from './lib/walk.mjs';
import { walkTheFlowsBeforeTheQueue } from './lib/flows.mjs';
import { walkRecordingsAndMusic } from './lib/recordings-music.mjs';

let r;
before(async () => {
  r = await startCdkRehearsal((m) => console.log(`[cdk] ${m}`));
  reachStackThroughFront({ hosts: r.hostRules.split(', ').map((rule) => rule.split(' ')[1]), port: r.frontPort, ca: r.certs.ca });
  console.log(`[cdk] page ${r.pageUrl}; API ${r.apiUrl}; not rehearsed: ${r.stack.notRehearsed.length} resources (alarms, topic, log-only parts)`);
});
after(async () => {
  await r?.stop();
});

test('the CDK back end serves a centre’s first day', async (t) => {
  await walkTheApi(r, t);
});

test('the CDK live channel pushes a change to the page that may hear it', async (t) => {
  await walkTheLiveChannel(r, t);
});

test('the CDK back end runs the flows before the queue: hours, menu, voicemail, callback', async (t) => {
  await walkTheFlowsBeforeTheQueue(r, t);
});

test('the CDK back end plays a recording by byte range and gives hold music an upload URL', async (t) => {
  await walkRecordingsAndMusic(r, t);
});
