/** Sign in with an access key pair or a user's console password; after a session ends, says why. */
import { useState } from 'preact/hooks';
import { type Credentials, type Session, signIn } from '../api/session.js';
import { ErrorMessage } from '../components/error-message.js';
import { Field } from '../components/field.js';
import { TabPanel, Tabs } from '../components/tabs.js';
import { useAction } from '../hooks/use-action.js';
import { useTitle } from '../hooks/use-title.js';

type Method = 'access-key' | 'password';

const METHODS = [
  { id: 'access-key', label: 'Access key' },
  { id: 'password', label: 'IAM user' },
] as const;

export function SignIn({ notice, onSignedIn }: { notice?: string | undefined; onSignedIn: (session: Session) => void }) {
  useTitle('Sign in');
  const [method, setMethod] = useState<Method>('access-key');
  const [fields, setFields] = useState({ accessKeyId: '', secretAccessKey: '', userName: '', password: '' });
  const submit = useAction(async (credentials: Credentials) => onSignedIn(await signIn(credentials)));
  const set = (name: keyof typeof fields) => (event: Event) => setFields({ ...fields, [name]: (event.currentTarget as HTMLInputElement).value });

  const onSubmit = (event: Event) => {
    event.preventDefault();
    submit.run(
      method === 'access-key'
        ? { accessKeyId: fields.accessKeyId.trim(), secretAccessKey: fields.secretAccessKey }
        : { userName: fields.userName.trim(), password: fields.password },
    );
  };

  return (
    <main class="sign-in" id="main">
      <div class="sign-in-card">
        <div class="sign-in-brand">
          <svg aria-hidden="true" viewBox="0 0 24 24" width="28" height="28">
            <path d="M3 14h18l-2.5 5.5a1 1 0 0 1-.9.5H6.4a1 1 0 0 1-.9-.5z M6 8h5v5H6z M12 8h5v5h-5z M9 3h5v4.5H9z" />
          </svg>
          <span>Berth</span>
        </div>
        <h1>Sign in to the console</h1>
        {notice && (
          <p class="notice" role="status" data-testid="sign-in-notice">
            {notice}
          </p>
        )}
        <Tabs
          label="Sign-in method"
          tabs={METHODS}
          selected={method}
          onSelect={(id) => {
            setMethod(id);
            submit.clearError();
          }}
          idPrefix="sign-in"
        />
        <TabPanel idPrefix="sign-in" id={method}>
          <form onSubmit={onSubmit} class="stack">
            {method === 'access-key' ? (
              <>
                <Field label="Access key ID">
                  {(control) => (
                    <input {...control} class="input" name="accessKeyId" autocomplete="username" spellcheck={false} required value={fields.accessKeyId} onInput={set('accessKeyId')} />
                  )}
                </Field>
                <Field label="Secret access key">
                  {(control) => (
                    <input {...control} class="input" type="password" name="secretAccessKey" autocomplete="current-password" required value={fields.secretAccessKey} onInput={set('secretAccessKey')} />
                  )}
                </Field>
              </>
            ) : (
              <>
                <Field label="User name">
                  {(control) => <input {...control} class="input" name="userName" autocomplete="username" spellcheck={false} required value={fields.userName} onInput={set('userName')} />}
                </Field>
                <Field label="Password" hint={<>The user's console password, set with <code>berth iam create-login-profile</code>.</>}>
                  {(control) => <input {...control} class="input" type="password" name="password" autocomplete="current-password" required value={fields.password} onInput={set('password')} />}
                </Field>
              </>
            )}
            <ErrorMessage error={submit.error} testId="sign-in-error" />
            <button type="submit" class="button button-primary button-block" disabled={submit.pending} aria-busy={submit.pending}>
              Sign in
            </button>
          </form>
        </TabPanel>
      </div>
    </main>
  );
}
