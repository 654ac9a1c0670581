//! Links between the console's pages (operator screen, モニタリング, レポート, 管理画面, 架電リスト):
//! an ordinary link a user may open in a new tab, followed in the page without a reload; and
//! the page a user whose role may not open one is shown instead.

import type { ComponentChildren } from 'preact';
import { currentUser } from '../auth';
import { t } from '../i18n';
import type { MessageKey } from '../i18n';
import { navigate } from '../router';

interface LinkProps {
  to: string;
  id?: string;
  class?: string;
  children: ComponentChildren;
}

export function PageLink({ to, id, class: className, children }: LinkProps) {
  return (
    <a
      href={to}
      id={id}
      class={className}
      onClick={(e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

interface RefusalProps {
  /** The element id tests and styles find the refusal by. */
  id: string;
  title: string;
  /** The dictionary key of the message; it is given the user's name and role. */
  message: MessageKey;
}

/** A page the signed-in user's role may not open: says who they are and leads back. */
export function RoleRefusal({ id, title, message }: RefusalProps) {
  const u = currentUser.value;
  return (
    <main class="boot refusal" id={id}>
      <h1>{title}</h1>
      <p>{t(message, { name: u?.name ?? '', role: u ? t(`role.${u.role}`) : '' })}</p>
      <PageLink to="/">{t('admin.back')}</PageLink>
    </main>
  );
}
