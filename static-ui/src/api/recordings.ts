//! A call's recording (under `/api/calls/{call}/recording/link`): a short-lived link the page
//! gives `<audio>` as its source. A media element cannot send the bearer token, so the link's
//! random token is its credential; the player then asks for byte ranges on that one URL as it
//! plays and seeks, each answered 206 from Twilio's copy (at most 2 MB a part), and never holds
//! the whole recording. The role is checked (403) and the link audited when it is made, and each
//! play (the player's request from the first byte) is audited as a listening by the link's holder.
//! A voicemail task's recording plays the same way, through a link of its own.

import { apiBase } from '../config';
import { request } from './client';
import type { components } from './schema.gen';

export type RecordingLink = components['schemas']['RecordingLink'];

const absolute = (link: RecordingLink): RecordingLink => ({ ...link, url: `${apiBase()}${link.url}` });

/** A link to play the call's recording, as an absolute URL for `<audio src>`. */
export async function recordingLink(call: string): Promise<RecordingLink> {
  return absolute(await request<RecordingLink>('POST', `/api/calls/${encodeURIComponent(call)}/recording/link`));
}

/** A link to play a voicemail task's recording (anyone who sees the task list may). */
export async function taskRecordingLink(task: string): Promise<RecordingLink> {
  return absolute(await request<RecordingLink>('POST', `/api/calls/tasks/${encodeURIComponent(task)}/recording/link`));
}
