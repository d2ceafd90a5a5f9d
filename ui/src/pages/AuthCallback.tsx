// Where Google sends the browser back: check the state we kept, then trade the code.
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api } from '../api/endpoints';
import { useSession } from '../auth/session';
import { GOOGLE_NEXT_KEY, GOOGLE_STATE_KEY, safeNext } from '../auth/redirect';
import { ErrorNotice, Loading } from '../components/ErrorNotice';

export function AuthCallback() {
  const [query] = useSearchParams();
  const navigate = useNavigate();
  const { signedIn } = useSession();
  const [error, setError] = useState<Error | null>(null);
  const started = useRef(false); // a code can be traded once (StrictMode runs effects twice)

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const code = query.get('code');
    const state = query.get('state');
    const kept = sessionStorage.getItem(GOOGLE_STATE_KEY);
    const next = safeNext(sessionStorage.getItem(GOOGLE_NEXT_KEY));
    sessionStorage.removeItem(GOOGLE_STATE_KEY);
    sessionStorage.removeItem(GOOGLE_NEXT_KEY);
    if (query.get('error')) {
      setError(new Error(`Google refused the sign-in: ${query.get('error')}.`));
    } else if (!code || !state || state !== kept) {
      setError(new Error('This sign-in was not started here or has expired; start again.'));
    } else {
      api
        .googleCallback(code, state)
        .then(signedIn)
        .then(() => navigate(next, { replace: true }))
        .catch((reason: Error) => setError(reason));
    }
  }, [query, navigate, signedIn]);

  return (
    <main className="sign-in" id="main">
      <h1>Signing in…</h1>
      {error ? (
        <>
          <ErrorNotice error={error} />
          <Link to="/sign-in">Back to sign-in</Link>
        </>
      ) : (
        <Loading what="your account" />
      )}
    </main>
  );
}
