// The frame of every signed-in page: navigation, who is signed in, theme toggle.
import { useState } from 'react';
import { NavLink, Outlet } from 'react-router';
import { useSession, useUser } from '../auth/session';
import { isViewer } from '../auth/permissions';
import { applyTheme, storedTheme, systemTheme } from '../lib/theme';
import type { Theme } from '../lib/theme';

function roleLabel(user: ReturnType<typeof useUser>): string {
  if (user.is_admin) return 'admin';
  if (isViewer(user)) return 'viewer';
  return Object.values(user.roles).includes('manager') ? 'manager' : 'agent';
}

export function Layout() {
  const user = useUser();
  const { signOut } = useSession();
  const [theme, setTheme] = useState<Theme>(() => storedTheme() ?? systemTheme());
  const other: Theme = theme === 'dark' ? 'light' : 'dark';

  return (
    <div className="app">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to="/" className="brand">
          Argus
        </NavLink>
        <nav aria-label="Main">
          <NavLink to="/" end>
            Dashboard
          </NavLink>
          <NavLink to="/issues">Issues</NavLink>
          <NavLink to="/teams">Teams</NavLink>
        </nav>
        <div className="who">
          <span title={user.email ?? undefined}>
            {user.name} <span className="muted">({roleLabel(user)})</span>
          </span>
          <button
            type="button"
            className="ghost"
            aria-label={`Switch to ${other} theme`}
            onClick={() => {
              applyTheme(other);
              setTheme(other);
            }}
          >
            {theme === 'dark' ? '☀' : '☾'}
          </button>
          <button type="button" className="ghost" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
