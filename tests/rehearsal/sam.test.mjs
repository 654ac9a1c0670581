// The SAM template's back end, rehearsed through the same gateway with the same API calls as the
// CDK stack: every route it declares must reach its function with the permission to invoke it.
import { after, before, test } from 'node:test';
import { reachStackThroughFront } from './lib/client.mjs';
import { startSamRehearsal } from './lib/stacks.mjs';
import { walkTheLiveChannel } from './lib/live.mjs';
import { walkTheApi } from './lib/walk.mjs';
import { walkTheFlowsBeforeTheQueue } from './lib/flows.mjs';
import { walkRecordingsAndMusic } from './lib/recordings-music.mjs';

let r;
before(async () => {
  r = await startSamRehearsal((m) => console.log(`[sam] ${m}`));
  reachStackThroughFront({ hosts: r.hostRules.split(', ').map((rule) => rule.split(' ')[1]), port: r.frontPort, ca: r.certs.ca });
  console.log(`[sam] API ${r.apiUrl}; not rehearsed: ${r.stack.notRehearsed.join(', ') || 'nothing'}`);
});
after(async () => {
  await r?.stop();
});

test('the SAM back end serves a centre’s first day', async (t) => {
  await walkTheApi(r, t);
});

test('the SAM live channel pushes a change to the page that may hear it', async (t) => {
  await walkTheLiveChannel(r, t);
});

test('the SAM back end runs the flows before the queue: hours, menu, voicemail, callback', async (t) => {
  await walkTheFlowsBeforeTheQueue(r, t);
});

test('the SAM back end plays a recording by byte range and gives hold music an upload URL', async (t) => {
  await walkRecordingsAndMusic(r, t);
});
