//! Audio settings of the Twilio phone: which microphone and which speaker (calls and the
//! ringtone) to use, with a test sound. Opening it asks for the microphone, so the browser's
//! permission prompt comes before the first call rather than during it.

import { useEffect, useState } from 'preact/hooks';
import { errorText } from '../api/errors';
import { Dialog } from '../components/Dialog';
import { t } from '../i18n';
import type { AudioDevice, AudioSettings } from '../state/phone';

export function AudioDialog({ audio, open, onClose }: { audio: AudioSettings; open: boolean; onClose: () => void }) {
  const [devices, setDevices] = useState<{ inputs: AudioDevice[]; outputs: AudioDevice[]; outputSelectable: boolean } | null>(null);
  const [chosen, setChosen] = useState(audio.chosen());
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!open) return;
    setError(null);
    setDevices(null);
    audio
      .devices()
      .then(setDevices)
      .catch((e: unknown) => setError(errorText(e)));
  }, [open, audio]);
  const act = (fn: () => Promise<void>) => {
    setError(null);
    fn()
      .then(() => setChosen(audio.chosen()))
      .catch((e: unknown) => setError(errorText(e)));
  };
  const options = (list: AudioDevice[]) => [
    <option key="default" value="default">
      {t('audio.default')}
    </option>,
    ...list.filter((d) => d.id !== 'default').map((d) => (
      <option key={d.id} value={d.id}>
        {d.label}
      </option>
    )),
  ];
  return (
    <Dialog id="audio-dialog" open={open} title={t('audio.title')} onClose={onClose}>
      {!devices && !error && <p class="muted">{t('audio.loading')}</p>}
      {devices && (
        <div class="audio-form">
          <label for="audio-input">{t('audio.input')}</label>
          <select id="audio-input" value={chosen.input} onChange={(e) => act(() => audio.setInput(e.currentTarget.value))}>
            {options(devices.inputs)}
          </select>
          <label for="audio-output">{t('audio.output')}</label>
          {devices.outputSelectable ? (
            <select id="audio-output" value={chosen.output} onChange={(e) => act(() => audio.setOutput(e.currentTarget.value))}>
              {options(devices.outputs)}
            </select>
          ) : (
            <p class="muted">{t('audio.outputFixed')}</p>
          )}
          <div class="dialog-buttons">
            <button type="button" onClick={() => act(() => audio.testOutput())}>
              {t('audio.test')}
            </button>
          </div>
        </div>
      )}
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
    </Dialog>
  );
}
