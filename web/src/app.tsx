/**
 * The console: asks Berth for the session, shows sign-in without one, and the pages with one. A session
 * that ends anywhere (expiry, sign-out elsewhere, a revoked key) brings back sign-in at the same URL with
 * the reason, so signing in again returns the user to where they were.
 */
import { useEffect, useState } from 'preact/hooks';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso/router';
import { type ApiError, asApiError, onSignedOut } from './api/client.js';
import { getSession, type Session, SessionContext, signOut } from './api/session.js';
import { Layout } from './components/layout.js';
import { ErrorState, SkeletonLines } from './components/states.js';
import { ToastProvider } from './components/toasts.js';
import { CreateRepository } from './pages/create-repository.js';
import { ImagePage } from './pages/image.js';
import { NotFound } from './pages/not-found.js';
import { RegistrySettings } from './pages/registry-settings.js';
import { Repositories } from './pages/repositories.js';
import { RepositoryPage } from './pages/repository.js';
import { SignIn } from './pages/sign-in.js';
import { CONSOLE_ROOT, CONSOLE_SCOPE, CREATE_REPOSITORY_PATH, parseRepositoryPath, REPOSITORIES_PATH, SETTINGS_PATH } from './routes.js';

type State = { status: 'loading' } | { status: 'error'; error: ApiError } | { status: 'signed-out'; notice?: string | undefined } | { status: 'signed-in'; session: Session };

const EXPIRED = 'Your session expired. Sign in again to continue where you were.';
const ENDED = 'Your session ended. Sign in again to continue where you were.';

/** Longest timer browsers run (about 24.8 days); a session lasting longer is checked by the server anyway. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function App() {
  const [state, setState] = useState<State>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    getSession().then(
      (session) => setState({ status: 'signed-in', session }),
      (caught: unknown) => {
        const error = asApiError(caught);
        if (error.status === 401) setState({ status: 'signed-out', notice: error.type === 'SessionExpired' ? EXPIRED : undefined });
        else setState({ status: 'error', error });
      },
    );
  }, [attempt]);

  useEffect(() => onSignedOut((error) => setState({ status: 'signed-out', notice: error.type === 'SessionExpired' ? EXPIRED : ENDED })), []);

  const session = state.status === 'signed-in' ? state.session : undefined;
  useEffect(() => {
    if (!session) return;
    const remaining = Date.parse(session.expiresAt) - Date.now();
    if (!(remaining < MAX_TIMER_MS)) return;
    const timer = setTimeout(() => setState({ status: 'signed-out', notice: EXPIRED }), Math.max(remaining, 0));
    return () => clearTimeout(timer);
  }, [session]);

  return (
    <LocationProvider scope={CONSOLE_SCOPE}>
      <ToastProvider>
        {state.status === 'loading' ? (
          <div role="status" aria-label="Loading the console">
            <div class="app-header app-header-placeholder" />
            <div class="page">
              <SkeletonLines lines={6} />
            </div>
          </div>
        ) : state.status === 'error' ? (
          <main class="page" id="main">
            <ErrorState title="The console could not reach Berth" error={state.error} onRetry={() => setAttempt((n) => n + 1)} />
          </main>
        ) : state.status === 'signed-out' ? (
          <SignIn notice={state.notice} onSignedIn={(signedIn) => setState({ status: 'signed-in', session: signedIn })} />
        ) : (
          <SessionContext.Provider value={state.session}>
            <SignedIn
              onSignOut={async () => {
                await signOut();
                setState({ status: 'signed-out', notice: 'You have signed out.' });
              }}
            />
          </SessionContext.Provider>
        )}
      </ToastProvider>
    </LocationProvider>
  );
}

function SignedIn({ onSignOut }: { onSignOut: () => Promise<void> }) {
  const { route } = useLocation();
  return (
    <Layout
      onSignOut={async () => {
        await onSignOut();
        route(CONSOLE_ROOT);
      }}
    >
      <Router onRouteChange={focusMain}>
        <Route path={CONSOLE_ROOT} component={Repositories} />
        <Route path={REPOSITORIES_PATH} component={Repositories} />
        <Route path={`${REPOSITORIES_PATH}/*`} component={RepositoryRoute} />
        <Route path={CREATE_REPOSITORY_PATH} component={CreateRepository} />
        <Route path={SETTINGS_PATH} component={RegistrySettings} />
        <Route default component={NotFound} />
      </Router>
    </Layout>
  );
}

/** A repository's page or one of its images: names may contain slashes, so the path is split here, not by the router. */
function RepositoryRoute() {
  const { path } = useLocation();
  const target = parseRepositoryPath(path);
  if (!target) return <NotFound />;
  return target.imageDigest ? (
    <ImagePage key={`${target.repositoryName}@${target.imageDigest}`} repositoryName={target.repositoryName} imageDigest={target.imageDigest} />
  ) : (
    <RepositoryPage key={target.repositoryName} repositoryName={target.repositoryName} />
  );
}

/** After client-side navigation, focus moves to the new page's main region, as a page load would put it at the top. */
function focusMain(): void {
  document.getElementById('main')?.focus({ preventScroll: true });
}
