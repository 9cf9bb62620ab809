/** The signed-in frame: skip link, header with navigation and the signed-in principal, and the main region. */
import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso/router';
import { principalName, useSession } from '../api/session.js';
import { useAction } from '../hooks/use-action.js';
import { CONSOLE_ROOT, REPOSITORIES_PATH, SETTINGS_PATH } from '../routes.js';
import { ErrorMessage } from './error-message.js';

const NAV = [
  { href: REPOSITORIES_PATH, label: 'Repositories', matches: (path: string) => path === CONSOLE_ROOT || path.startsWith(REPOSITORIES_PATH) || path.startsWith('/console/create-repository') },
  { href: SETTINGS_PATH, label: 'Registry settings', matches: (path: string) => path.startsWith(SETTINGS_PATH) },
];

export function Layout({ children, onSignOut }: { children: ComponentChildren; onSignOut: () => Promise<void> }) {
  const session = useSession();
  const { path } = useLocation();
  const signOut = useAction(onSignOut);
  return (
    <div class="app">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="app-header">
        <a class="brand" href={REPOSITORIES_PATH}>
          <svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22">
            <path d="M3 14h18l-2.5 5.5a1 1 0 0 1-.9.5H6.4a1 1 0 0 1-.9-.5z M6 8h5v5H6z M12 8h5v5h-5z M9 3h5v4.5H9z" />
          </svg>
          <span>Berth</span>
        </a>
        <nav aria-label="Main" class="app-nav">
          {NAV.map((item) => (
            <a key={item.href} href={item.href} {...(item.matches(path) && { 'aria-current': 'page' })}>
              {item.label}
            </a>
          ))}
        </nav>
        <div class="account">
          <span class="account-name" title={session.principal.arn} data-testid="principal">
            {principalName(session)}
          </span>
          <span class="account-region muted">{session.registry.region}</span>
          <button type="button" class="button button-small" onClick={() => signOut.run()} disabled={signOut.pending}>
            Sign out
          </button>
        </div>
      </header>
      {signOut.error && (
        <div class="banner">
          <ErrorMessage error={signOut.error} />
        </div>
      )}
      <main id="main" tabIndex={-1} class="app-main">
        {children}
      </main>
    </div>
  );
}
