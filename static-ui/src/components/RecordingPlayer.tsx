//! The player of a call's recording, fetched on the first 再生 (see ./Recording.tsx): it asks for
//! a link (the role is checked there, 403 with the reason) and plays it in `<audio controls>`,
//! which seeks with range requests on the link. A link that stopped working (it lives 30
//! minutes) is asked for again once, at the same place in the recording. A voicemail task's
//! recording plays in the same player, with the task's own link.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { errorText } from '../api/errors';
import type { RecordingLink } from '../api/recordings';
import { recordingLink } from '../api/recordings';
import { t } from '../i18n';

/** What went wrong, in the API's own words when it refused (who may listen, deleted, none). */
function reason(e: unknown): string {
  return e instanceof ApiError && (e.status === 403 || e.status === 404) && e.message ? e.message : errorText(e);
}

interface PlayerProps {
  /** The call (or the voicemail task, by the caller's CallSid) whose recording plays. */
  call: string;
  /** How to get a link to it: a call's recording by default. */
  link?: (id: string) => Promise<RecordingLink>;
  id?: string;
  label?: string;
}

export function RecordingPlayer({ call, link: linkOf = recordingLink, id, label }: PlayerProps) {
  const [src, setSrc] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const audio = useRef<HTMLAudioElement>(null);
  const renewed = useRef(false);
  const resumeAt = useRef<number | null>(null);

  const fetchLink = async () => {
    try {
      const link = await linkOf(call);
      setSrc(link.url);
    } catch (e) {
      setError(t('recording.failed', { detail: reason(e) }));
    }
  };

  useEffect(() => {
    void fetchLink();
  }, [call]);

  if (error) {
    return (
      <p class="error-text recording-error" role="alert">
        {error}
      </p>
    );
  }
  if (!src) return <span class="muted recording-loading">{t('recording.loading')}</span>;
  return (
    <audio
      ref={audio}
      id={id}
      class="recording-audio"
      controls
      autoPlay
      preload="metadata"
      src={src}
      aria-label={label ?? t('recording.label')}
      onLoadedMetadata={() => {
        const el = audio.current;
        if (el && resumeAt.current !== null) {
          el.currentTime = resumeAt.current;
          resumeAt.current = null;
        }
      }}
      onError={() => {
        if (renewed.current) {
          setError(t('recording.failed', { detail: t('recording.unavailable') }));
          return;
        }
        renewed.current = true;
        resumeAt.current = audio.current?.currentTime ?? null;
        void fetchLink();
      }}
    />
  );
}
