// Who is signed in: the token in localStorage and the person it names, read from
// /api/auth/me on load so roles are always the server's current ones.
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { getToken, setToken, setUnauthorizedHandler } from '../api/client';
import { api } from '../api/endpoints';
import type { SignedIn, User } from '../api/types';

interface Session {
  user: User | null;
  loading: boolean;
  signedIn: (answer: SignedIn) => Promise<void>;
  signOut: () => void;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [loading, setLoading] = useState(() => getToken() !== null);

  const signOut = useCallback(() => {
    setToken(null);
    setUser(null);
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(signOut);
    if (!getToken()) return;
    api
      .me()
      .then(setUser)
      .catch(() => signOut())
      .finally(() => setLoading(false));
  }, [signOut]);

  const signedIn = useCallback(async (answer: SignedIn) => {
    setToken(answer.token);
    // The sign-in answer carries the user, but /me is the one source of roles.
    setUser(await api.me());
  }, []);

  const value = useMemo(
    () => ({ user, loading, signedIn, signOut }),
    [user, loading, signedIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** A fixed signed-in person, for component tests. */
export function FixedSession({ user, children }: { user: User; children: ReactNode }) {
  const value = useMemo<Session>(
    () => ({ user, loading: false, signedIn: async () => {}, signOut: () => {} }),
    [user],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The signed-in person; only used below the routes that require one. */
export function useUser(): User {
  const { user } = useSession();
  if (!user) throw new Error('useUser without a signed-in user');
  return user;
}
