//! The admin page's 待ち受け音・折り返し section: after how long a waiting caller is offered a
//! callback that keeps their place (0: never), and each line's wait and hold audio — a https
//! URL, or a file put in the page's bucket (served from the console's origin). A line with no
//! wait audio plays Twilio's classical piece; with no hold audio, its wait audio or a spoken
//! notice. A file may be uploaded here into the bucket (MP3 or WAV, at most 10 MB, checked
//! before it is sent): the field then names its path, saved with the section as before. The
//! server checks the values and says what to fix in Japanese. Its words are kept here (the admin
//! page is loaded on demand; the operator screen's first load has a budget).

import { useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { errorText } from '../api/errors';
import { MAX_BYTES, audioType, bucketName, musicUpload, putMusic } from '../api/music';
import type { components } from '../api/schema.gen';
import { labelOf, lang } from '../i18n';
import { settings } from '../state/settings';
import './waiting.css';

type Waiting = components['schemas']['Waiting'];
type Audio = components['schemas']['Audio'];
type LineMusic = components['schemas']['LineMusic'];

const words = {
  note: [
    '待っているお客様に流す音声と、折り返しの案内です。音声はURL（https://）か、ページのバケットのファイル（例: music/hold.mp3）を指定します。MP3かWAV（10MBまで）は「ファイルをアップロード」からバケットに置けます。音声が終わるたびに待ち状況を確認するため、30秒程度の音声をおすすめします。',
    'What waiting and held callers hear, and the callback offer. Audio is a https:// URL or a file in the page bucket (music/hold.mp3); an MP3 or WAV (up to 10 MB) can be put there with "Upload a file". The wait is checked each time the audio ends: about 30 s is best.',
  ],
  callback: ['折り返しの案内までの待ち時間（秒、0で案内しない）', 'Offer a callback after (seconds, 0 = never)'],
  line: ['回線', 'Line'],
  wait: ['待ち受け音', 'Wait audio'],
  hold: ['保留音', 'Hold audio'],
  none: ['標準', 'Default'],
  url: ['URL', 'URL'],
  bucket: ['バケットのファイル', 'Bucket file'],
  upload: ['ファイルをアップロード', 'Upload a file'],
  uploading: ['アップロード中…', 'Uploading…'],
  uploaded: ['をアップロードしました。保存すると使われます。', ' uploaded. Save to use it.'],
  badType: ['MP3かWAVの音声ファイルを選んでください', 'Choose an MP3 or WAV audio file'],
  tooBig: ['ファイルが大きすぎます（10MBまで）', 'The file is too large (10 MB at most)'],
  empty: ['ファイルが空です', 'The file is empty'],
  failed: ['アップロードできませんでした: ', 'The upload failed: '],
  refused: ['保存先が受け付けませんでした。もう一度お試しください', 'The storage refused it. Please try again'],
} as const;

const w = (k: keyof typeof words) => words[k][lang.value === 'en' ? 1 : 0];

type Source = 'none' | Audio['source'];

type Upload = { state: 'busy'; percent: number } | { state: 'done'; name: string } | { state: 'error'; message: string };

function UploadButton({ id, label, done }: { id: string; label: string; done: (path: string) => void }) {
  const [status, setStatus] = useState<Upload | null>(null);
  const pick = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    const type = audioType(file);
    if (!type) return setStatus({ state: 'error', message: w('badType') });
    if (file.size === 0) return setStatus({ state: 'error', message: w('empty') });
    if (file.size > MAX_BYTES) return setStatus({ state: 'error', message: w('tooBig') });
    setStatus({ state: 'busy', percent: 0 });
    try {
      const target = await musicUpload(bucketName(file.name), type, file.size);
      await putMusic(target, file, (f) => setStatus({ state: 'busy', percent: Math.round(f * 100) }));
      done(target.path);
      setStatus({ state: 'done', name: file.name });
    } catch (e) {
      setStatus({ state: 'error', message: w('failed') + (e instanceof ApiError ? errorText(e) : w('refused')) });
    }
  };
  return (
    <div class="waiting-upload">
      <label class="upload-button">
        {w('upload')}
        <input
          id={`${id}-file`}
          type="file"
          accept=".mp3,.wav,audio/mpeg,audio/wav"
          aria-label={`${label} ${w('upload')}`}
          class="sr-only"
          disabled={status?.state === 'busy'}
          onChange={(e) => void pick(e.currentTarget)}
        />
      </label>
      {status && (
        <p id={`${id}-upload-status`} class={status.state === 'error' ? 'error-text' : status.state === 'done' ? 'ok-text' : undefined} role={status.state === 'error' ? 'alert' : 'status'}>
          {status.state === 'busy' ? (
            <>
              {w('uploading')} <progress max={100} value={status.percent} /> {status.percent}%
            </>
          ) : status.state === 'done' ? (
            `「${status.name}」${w('uploaded')}`
          ) : (
            status.message
          )}
        </p>
      )}
    </div>
  );
}

function AudioField({ id, label, value, set }: { id: string; label: string; value: Audio | null | undefined; set: (a: Audio | null) => void }) {
  const source: Source = value?.source ?? 'none';
  const text = value ? (value.source === 'url' ? value.url : value.path) : '';
  const make = (s: Source, v: string): Audio | null => (s === 'url' ? { source: 'url', url: v } : s === 'bucket' ? { source: 'bucket', path: v } : null);
  return (
    <fieldset class="waiting-audio">
      <legend>{label}</legend>
      <select id={`${id}-source`} aria-label={label} value={source} onChange={(e) => set(make(e.currentTarget.value as Source, text))}>
        <option value="none">{w('none')}</option>
        <option value="url">{w('url')}</option>
        <option value="bucket">{w('bucket')}</option>
      </select>
      {source !== 'none' && (
        <input
          id={`${id}-value`}
          type="text"
          autoComplete="off"
          aria-label={`${label} ${source === 'url' ? w('url') : w('bucket')}`}
          placeholder={source === 'url' ? 'https://' : 'music/hold.mp3'}
          value={text}
          onInput={(e) => set(make(source, e.currentTarget.value.trim()))}
        />
      )}
      <UploadButton id={id} label={label} done={(path) => set({ source: 'bucket', path })} />
    </fieldset>
  );
}

export const waitingNote = () => w('note');

export function WaitingEditor({ value, set }: { value: Waiting | undefined; set: (v: Waiting) => void }) {
  const v: Waiting = value ?? { callback_after_seconds: 0, music: {} };
  const music = v.music ?? {};
  const setLine = (id: string, m: LineMusic) => {
    const next = { ...music };
    if (!m.wait && !m.hold) delete next[id];
    else next[id] = m;
    set({ ...v, music: next });
  };
  return (
    <div class="waiting-editor">
      <label>
        {w('callback')}
        <input
          id="waiting-callback"
          type="number"
          min={0}
          max={3600}
          value={v.callback_after_seconds ?? 0}
          onInput={(e) => set({ ...v, callback_after_seconds: e.currentTarget.valueAsNumber || 0 })}
        />
      </label>
      <table class="waiting-lines">
        <thead>
          <tr>
            <th>{w('line')}</th>
            <th>{w('wait')}</th>
            <th>{w('hold')}</th>
          </tr>
        </thead>
        <tbody>
          {(settings.value?.lines ?? []).map((l) => {
            const m = music[l.id] ?? {};
            return (
              <tr key={l.id} data-line={l.id}>
                <td>{labelOf(l)}</td>
                <td>
                  <AudioField id={`waiting-${l.id}-wait`} label={`${labelOf(l)} ${w('wait')}`} value={m.wait} set={(a) => setLine(l.id, { ...m, wait: a })} />
                </td>
                <td>
                  <AudioField id={`waiting-${l.id}-hold`} label={`${labelOf(l)} ${w('hold')}`} value={m.hold} set={(a) => setLine(l.id, { ...m, hold: a })} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
