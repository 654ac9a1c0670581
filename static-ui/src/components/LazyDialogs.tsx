//! The operator screen's dialogs opened on a click, each in its own chunk (see ./lazy.tsx): the
//! transfer and consultation dialogs (one chunk: an outside number is transferred through the
//! consultation), the call-list dialog, the audio settings and the shortcuts' help (the task
//! dialog is ./LazyTasks.tsx, the pre-call check ./LazyPreflight.tsx).
//! {@link preloadDialogs} fetches them all once the screen is idle; {@link preloadCallDialogs}
//! fetches the ones a call on hold needs as soon as a call is answered.

import { effect } from '@preact/signals';
import type { AudioSettings } from '../state/phone';
import { activeCall, closeConsult, closeTransfer, consultOpen, transferOpen } from '../state/call';
import { callListOpen } from '../state/callList';
import { lazyPart, whenIdle } from './lazy';
import { preloadTasks } from './LazyTasks';

const callDialogs = lazyPart(() =>
  Promise.all([import('../dialogs/TransferDialog'), import('../dialogs/ConsultDialog')]).then(([tr, co]) => {
    function CallDialogs() {
      return (
        <>
          <co.ConsultDialog />
          <tr.TransferDialog />
        </>
      );
    }
    return CallDialogs;
  }),
);
const callList = lazyPart(() => import('../dialogs/CallListDialog').then((m) => m.CallListDialog));
const audio = lazyPart<{ audio: AudioSettings; open: boolean; onClose: () => void }>(() =>
  import('../dialogs/AudioDialog').then((m) => m.AudioDialog),
);
const help = lazyPart(() => import('./ShortcutsHelp').then((m) => m.ShortcutsHelp));

/** The transfer and consultation dialogs (they open and close with the call's state). */
export function CallDialogsPart() {
  const consult = consultOpen.value;
  const transfer = transferOpen.value;
  return (
    <callDialogs.Part
      id={transfer ? 'transfer-dialog' : 'consult-dialog'}
      open={consult || transfer}
      // The consultation dialog floats, so 保留解除 and 転送 stay usable while it is shown.
      modal={transfer}
      onClose={() => (transfer ? closeTransfer() : closeConsult())}
    />
  );
}

export function CallListPart() {
  return <callList.Part id="call-list-dialog" open={callListOpen.value} onClose={() => (callListOpen.value = false)} />;
}

/** The audio settings; `open` and `onClose` are passed on to the dialog once it is fetched. */
export function AudioPart(props: { audio: AudioSettings; open: boolean; onClose: () => void }) {
  return <audio.Part id="audio-dialog" {...props} />;
}
export const preloadAudio = audio.preload;

export const HelpPart = help.Part;

/** Fetches the transfer and consultation dialogs as soon as a call is answered. */
export function preloadCallDialogs(): () => void {
  return effect(() => {
    if (activeCall.value) void callDialogs.preload();
  });
}

/** Fetches every dialog of the screen once the browser is idle after the first paint. */
export function preloadDialogs(): () => void {
  return whenIdle(() => {
    void callDialogs.preload();
    void callList.preload();
    void audio.preload();
    void help.preload();
    void preloadTasks();
  });
}
