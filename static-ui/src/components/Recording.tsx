//! 録音: a call's recording where the call is shown. 再生 for whoever may listen (the API sends a
//! call's recording link only to supervisors and admins, and to its operator when the settings
//! let operators play their own calls), 削除済み once it was deleted after the retention period.
//! In 対応履歴 the row's 再生 plays it in one player under the list ({@link RecordingBar}: the
//! rows stay narrow); in the call's detail the player takes the button's place. The player is a
//! part fetched on the first 再生 (the operator screen's first load has a size budget):
//! ./RecordingPlayer.tsx.

import type { ComponentType } from 'preact';
import { signal } from '@preact/signals';
import { useState } from 'preact/hooks';
import type { CallSummary } from '../api/types';
import { shortDateTime } from '../format';
import { t, withPartTexts } from '../i18n';

const Player = signal<ComponentType<{ call: string }> | null>(null);
const failed = signal(false);
let pending: Promise<void> | null = null;

function loadPlayer(): Promise<void> {
  if (Player.peek()) return Promise.resolve();
  if (!pending) {
    failed.value = false;
    pending = withPartTexts(import('./RecordingPlayer'))
      .then((m) => {
        Player.value = m.RecordingPlayer;
      })
      .catch(() => {
        pending = null;
        failed.value = true;
      });
  }
  return pending;
}

/** The call 対応履歴's player plays, if any. */
const nowPlaying = signal<CallSummary | null>(null);

/** Keeps a click or key inside the recording from also opening the row it sits in. */
const inside = (e: Event) => e.stopPropagation();

/** The player once fetched, or what stands in for it meanwhile. */
function PlayerOf({ call }: { call: string }) {
  const P = Player.value;
  if (P) return <P call={call} />;
  if (failed.value) {
    return (
      <button type="button" class="small" onClick={() => void loadPlayer()}>
        {t('app.retry')}
      </button>
    );
  }
  return <span class="muted">{t('app.loading')}</span>;
}

/** The recording of `call`: 再生 (in place when `inline`, else in {@link RecordingBar}), or 削除済み. */
export function Recording({ call, inline = false }: { call: CallSummary; inline?: boolean }) {
  const [open, setOpen] = useState(false);
  if (call.recording_deleted_at) {
    return (
      <span class="muted recording-deleted" title={t('recording.deletedTitle')}>
        {t('recording.deleted')}
      </span>
    );
  }
  if (!call.recording_url) return null;
  if (inline && open) {
    return (
      <span class="recording" onClick={inside} onKeyDown={inside}>
        <PlayerOf call={call.sid} />
      </span>
    );
  }
  const playing = !inline && nowPlaying.value?.sid === call.sid;
  return (
    <span class="recording" onClick={inside} onKeyDown={inside}>
      <button
        type="button"
        class={`small recording-play ${playing ? 'playing' : ''}`}
        title={t('recording.playHint')}
        aria-pressed={inline ? undefined : playing}
        onClick={() => {
          if (inline) setOpen(true);
          else nowPlaying.value = call;
          void loadPlayer();
        }}
      >
        ▶ {t(playing ? 'recording.playing' : 'recording.play')}
      </button>
    </span>
  );
}

/** 対応履歴's player: the recording chosen with a row's 再生, under the list, until closed. */
export function RecordingBar() {
  const call = nowPlaying.value;
  if (!call) return null;
  return (
    <div class="recording-bar" id="recording-bar">
      <span class="recording-bar-title">{t('recording.of', { when: shortDateTime(call.started_at) })}</span>
      <PlayerOf key={call.sid} call={call.sid} />
      <button type="button" class="small icon-only" aria-label={t('app.close')} title={t('app.close')} onClick={() => (nowPlaying.value = null)}>
        ✕
      </button>
    </div>
  );
}
