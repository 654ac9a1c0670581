//! Call-list administration (/admin/call-lists): the lists with their progress, creating,
//! changing and deleting them, importing targets from CSV files, and looking through a list's
//! targets. Loaded on demand; admins only.

import { useEffect, useRef } from 'preact/hooks';
import { PageLink, RoleRefusal } from '../components/PageLink';
import { currentUser, hasRole } from '../auth';
import { lang, setLang, t } from '../i18n';
import { ImportPanel } from './ImportPanel';
import { closeImport, uploading } from './importer';
import { DeletePanel, ListForm } from './ListForm';
import { lists, listsError, listsLoading, loadLists, panel } from './lists';
import { ListsTable, openPanel } from './ListsTable';
import { TargetsPanel } from './TargetsPanel';
import './calllists.css';

function CurrentPanel() {
  const p = panel.value;
  const ref = useRef<HTMLDivElement>(null);
  const key = p ? `${p.kind}-${p.kind === 'new' ? '' : p.list.id}` : '';
  useEffect(() => {
    if (key) ref.current?.scrollIntoView({ block: 'nearest' });
  }, [key]);
  if (!p) return null;
  return (
    <div ref={ref} key={key}>
      {p.kind === 'new' && <ListForm list={null} />}
      {p.kind === 'edit' && <ListForm list={p.list} />}
      {p.kind === 'delete' && <DeletePanel list={p.list} />}
      {p.kind === 'import' && <ImportPanel />}
      {p.kind === 'targets' && <TargetsPanel list={p.list} />}
    </div>
  );
}

function Lists() {
  useEffect(() => {
    document.title = `${t('lists.title')} — ${t('app.title')}`;
    void loadLists();
    const warn = (e: BeforeUnloadEvent) => {
      if (uploading()) e.preventDefault();
    };
    addEventListener('beforeunload', warn);
    return () => {
      removeEventListener('beforeunload', warn);
      closeImport();
      panel.value = null;
      lists.value = null;
    };
  }, []);

  return (
    <div class="cl" id="call-lists">
      <header class="admin-head">
        <h1>{t('lists.title')}</h1>
        <span class="muted">{currentUser.value?.name}</span>
        <span class="info-spacer" />
        <PageLink to="/admin" class="link-button">
          {t('lists.toSettings')}
        </PageLink>
        <PageLink to="/monitor" class="link-button">
          {t('monitor.title')}
        </PageLink>
        <PageLink to="/" class="link-button">
          {t('app.operator')}
        </PageLink>
        <button type="button" class="link-button" aria-label={t('app.switchLangLabel')} onClick={() => setLang(lang.value === 'ja' ? 'en' : 'ja')}>
          {t('app.switchLang')}
        </button>
      </header>
      <main class="cl-main">
        <section class="cl-panel cl-lists" aria-labelledby="cl-lists-title">
          <div class="cl-panel-head">
            <h2 id="cl-lists-title">{t('lists.heading')}</h2>
            <span class="info-spacer" />
            <button type="button" class="small" disabled={listsLoading.value} onClick={() => void loadLists()}>
              {t('lists.reload')}
            </button>
            <button type="button" class="primary small" id="cl-new" onClick={() => openPanel({ kind: 'new' })}>
              {t('lists.new')}
            </button>
          </div>
          {listsError.value && (
            <p class="error-text" role="alert">
              {t('app.loadFailed', { detail: listsError.value })}
            </p>
          )}
          {!lists.value && listsLoading.value && <p class="muted">{t('app.loading')}</p>}
          <ListsTable />
        </section>
        <CurrentPanel />
      </main>
    </div>
  );
}

export function CallListsPage() {
  if (!hasRole('admin')) return <RoleRefusal id="lists-refused" title={t('lists.title')} message="admin.refused" />;
  return <Lists />;
}
