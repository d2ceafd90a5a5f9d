import { Navigate, Route, Routes, useLocation } from 'react-router';
import type { ReactNode } from 'react';
import { useSession } from './auth/session';
import { Loading } from './components/ErrorNotice';
import { Layout } from './components/Layout';
import { AuthCallback } from './pages/AuthCallback';
import { Dashboard } from './pages/Dashboard';
import { IssueDetail } from './pages/IssueDetail';
import { IssueList } from './pages/IssueList';
import { SignIn } from './pages/SignIn';
import { TeamDetail } from './pages/TeamDetail';
import { Teams } from './pages/Teams';

function RequireUser({ children }: { children: ReactNode }) {
  const { user, loading } = useSession();
  const location = useLocation();
  if (loading) return <Loading what="your session" />;
  if (!user) {
    // Come back to the page asked for once signed in (shared links keep working).
    const next = location.pathname + location.search;
    return <Navigate to={`/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  return children;
}

export function App() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignIn />} />
      <Route path="/auth/callback" element={<AuthCallback />} />
      <Route
        element={
          <RequireUser>
            <Layout />
          </RequireUser>
        }
      >
        <Route index element={<Dashboard />} />
        <Route path="issues" element={<IssueList />} />
        <Route path="issues/:id" element={<IssueDetail />} />
        <Route path="teams" element={<Teams />} />
        <Route path="teams/:id" element={<TeamDetail />} />
        <Route path="*" element={<p>There is no such page. <a href="/">Back to the dashboard</a></p>} />
      </Route>
    </Routes>
  );
}
