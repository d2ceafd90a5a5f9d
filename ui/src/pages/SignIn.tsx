// Sign in with Google, or, in the embedded demo, as one of the demo's people.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import { useSession } from '../auth/session';
import { ErrorNotice } from '../components/ErrorNotice';
import { GOOGLE_NEXT_KEY, GOOGLE_STATE_KEY, safeNext } from '../auth/redirect';

// The people `argus demo` seeds (README's table).
const DEMO_PEOPLE = [
  ['admin@example.com', 'admin'],
  ['maria.manager@example.com', 'manager of Payments'],
  ['ivan.petrov@example.com', 'manager of Infrastructure'],
  ['priya.patel@example.com', 'agent in Payments'],
  ['viewer@example.com', 'viewer'],
] as const;

export function SignIn() {
  const { user, signedIn } = useSession();
  const [query] = useSearchParams();
  const navigate = useNavigate();
  const next = safeNext(query.get('next'));
  const [email, setEmail] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  if (user) return <Navigate to={next} replace />;

  async function demoSignIn(address: string) {
    setBusy(true);
    setError(null);
    try {
      await signedIn(await api.devLogin(address));
      navigate(next, { replace: true });
    } catch (reason) {
      setError(
        reason instanceof ApiError && reason.status === 404
          ? new Error('Demo sign-in is off on this server; sign in with Google.')
          : (reason as Error),
      );
    } finally {
      setBusy(false);
    }
  }

  async function google() {
    setError(null);
    try {
      const { url, state } = await api.googleUrl();
      // The callback checks that Google brings this state back (login CSRF).
      sessionStorage.setItem(GOOGLE_STATE_KEY, state);
      sessionStorage.setItem(GOOGLE_NEXT_KEY, next);
      window.location.assign(url);
    } catch (reason) {
      setError(reason as Error);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (email.trim()) void demoSignIn(email.trim());
  }

  return (
    <main className="sign-in" id="main">
      <h1>Argus</h1>
      <p className="muted">Production issues, from Slack to resolved.</p>
      <ErrorNotice error={error} />
      <button type="button" className="primary wide" onClick={google}>
        Sign in with Google
      </button>
      <section className="demo-box" aria-labelledby="demo-title">
        <h2 id="demo-title">
          Demo sign-in <span className="badge">embedded demo only</span>
        </h2>
        <p className="muted">
          No password: the embedded demo trusts the address you type. Production servers turn
          this off.
        </p>
        <form onSubmit={submit} className="row">
          <label className="grow">
            <span className="sr-only">Email</span>
            <input
              type="email"
              placeholder="admin@example.com"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              required
            />
          </label>
          <button type="submit" disabled={busy}>
            Sign in
          </button>
        </form>
        <ul className="demo-people">
          {DEMO_PEOPLE.map(([address, role]) => (
            <li key={address}>
              <button
                type="button"
                className="link"
                disabled={busy}
                onClick={() => void demoSignIn(address)}
              >
                {address}
              </button>{' '}
              <span className="muted">{role}</span>
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}
