//! Region 1, インフォメーション: today's date and a ticking clock, the signed-in operator, the
//! status (followed from the server, changed through it), the outbound line (発信回線) and the
//! talk script of that line. The language switch, the admin link and sign-out live here too.

import { useState } from 'preact/hooks';
import { errorText } from '../api/errors';
import { currentUser, hasRole, signOut } from '../auth';
import { Dialog } from '../components/Dialog';
import { AudioPart, preloadAudio } from '../components/LazyDialogs';
import { AgentTools } from '../components/AgentTools';
import { Icon } from '../components/Icon';
import { clockTime, longDate, nationalPhone } from '../format';
import { labelOf, lang, setLang, t, titleOf } from '../i18n';
import { PageLink } from '../components/PageLink';
import { now } from '../state/clock';
import { phone } from '../state/phone';
import { contact } from '../state/customer';
import { say } from '../state/notice';
import { chooseLine, scriptLine, scriptSource, selectedLine, selectedScript } from '../state/lines';
import { presence, presenceChoices, presenceControl, presenceLabel } from '../state/presence';
import { choosePresence } from '../state/wrapUp';
import { settings } from '../state/settings';

/** Fills a script's `{オペレータ名}` and `{ご担当者名}` with the operator's and contact's names. */
function fillScript(body: string): string {
  const contactName = contact.value?.record.title;
  let out = body.split('{オペレータ名}').join(currentUser.value?.name ?? '{オペレータ名}');
  if (contactName) out = out.split('{ご担当者名}').join(contactName);
  return out;
}

export function InfoRegion() {
  const [scriptOpen, setScriptOpen] = useState(false);
  const [audioOpen, setAudioOpen] = useState(false);
  const audio = phone.value?.audio ?? null;
  const d = new Date(now.value);
  const lines = settings.value?.lines ?? [];
  const line = selectedLine.value;
  const script = selectedScript.value;
  const control = presenceControl.value;
  const status = presence.value;
  const choices = presenceChoices.value;
  return (
    <section
      id="region-info"
      class={`region region-info info-links-${(hasRole('supervisor') ? 2 : 0) + (hasRole('admin') ? 1 : 0)}`}
      aria-label={t('region.info')}
    >
      <h2 class="sr-only">{t('region.info')}</h2>
      <div class="info-item info-clock" aria-label={t('info.date')}>
        <span class="info-date">{longDate(d)}</span>
        <time class="info-time" dateTime={d.toISOString()}>
          {clockTime(d)}
        </time>
      </div>
      <div class="info-item info-user">
        <span class="info-caption">{t('info.user')}</span>
        <strong id="info-user-name">{currentUser.value?.name}</strong>
      </div>
      <div class="info-item">
        <label for="info-status" class="info-caption">
          {t('info.status')}
        </label>
        <select
          id="info-status"
          value={status}
          disabled={!control}
          title={control ? undefined : t('info.statusPending')}
          aria-describedby={control ? undefined : 'info-status-why'}
          onChange={(e) => {
            const el = e.currentTarget;
            choosePresence(el.value)
              .catch((err: unknown) => say('error', errorText(err)))
              .finally(() => {
                // The select shows what the server says, also when it refused.
                el.value = presence.peek();
              });
          }}
          class={`status-select status-${status}`}
        >
          {!choices.some((c) => c.id === status) && <option value={status}>{presenceLabel(status)}</option>}
          {choices.map((c) => (
            <option key={c.id} value={c.id}>
              {c.label}
            </option>
          ))}
        </select>
        {!control && (
          <span id="info-status-why" class="sr-only">
            {t('info.statusPending')}
          </span>
        )}
      </div>
      <div class="info-item">
        <label for="info-line" class="info-caption">
          {t('info.line')}
        </label>
        <select
          id="info-line"
          value={line?.id ?? ''}
          disabled={lines.length === 0}
          title={lines.length === 0 ? t('info.noLines') : undefined}
          onChange={(e) => chooseLine(e.currentTarget.value)}
        >
          {lines.length === 0 && <option value="">{t('info.noLines')}</option>}
          {lines.map((l) => (
            <option key={l.id} value={l.id}>
              {labelOf(l)}（{nationalPhone(l.number)}）
            </option>
          ))}
        </select>
        <button
          type="button"
          id="info-script"
          class="icon-text-button"
          disabled={!script}
          title={script ? t(`info.scriptOpen.${scriptSource.value}`) : t('info.noScript')}
          onClick={() => setScriptOpen(true)}
        >
          <Icon name="script" /> {t('info.script')}
        </button>
      </div>
      {audio && (
        <div class="info-item">
          <button
            type="button"
            id="info-audio"
            class="icon-text-button"
            onMouseEnter={() => void preloadAudio()}
            onFocus={() => void preloadAudio()}
            onClick={() => setAudioOpen(true)}
          >
            {t('audio.open')}
          </button>
          <AudioPart audio={audio} open={audioOpen} onClose={() => setAudioOpen(false)} />
        </div>
      )}
      <AgentTools />
      <div class="info-spacer" />
      <div class="info-item info-tools">
        <button
          type="button"
          class="link-button"
          aria-label={t('app.switchLangLabel')}
          onClick={() => setLang(lang.value === 'ja' ? 'en' : 'ja')}
        >
          {t('app.switchLang')}
        </button>
        {hasRole('supervisor') && (
          <PageLink to="/monitor" id="info-monitor" class="link-button">
            {t('monitor.title')}
          </PageLink>
        )}
        {hasRole('supervisor') && (
          <PageLink to="/reports" id="info-reports" class="link-button">
            {t('reports.title')}
          </PageLink>
        )}
        {hasRole('admin') && (
          <PageLink to="/admin" class="link-button">
            {t('app.admin')}
          </PageLink>
        )}
        <button type="button" class="link-button" onClick={() => signOut()}>
          {t('app.signOut')}
        </button>
      </div>
      <Dialog id="script-dialog" open={scriptOpen} title={script ? titleOf(script) : t('info.script')} onClose={() => setScriptOpen(false)}>
        {script && (
          <>
            <p class="script-line" id="script-source">
              {scriptSource.value === 'list'
                ? t('info.scriptOfList')
                : scriptSource.value === 'called'
                  ? t('info.scriptOfCalled', { line: `${labelOf(scriptLine.value)}（${nationalPhone(scriptLine.value?.number)}）` })
                  : `${t('info.line')}: ${labelOf(line)}（${nationalPhone(line?.number)}）`}
            </p>
            <div class="script-body pre">{fillScript(script.body)}</div>
          </>
        )}
      </Dialog>
    </section>
  );
}
