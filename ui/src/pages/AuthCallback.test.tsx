// Google's redirect back: the code is traded only when the state is the one we kept.
import { render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import { GOOGLE_NEXT_KEY, GOOGLE_STATE_KEY } from '../auth/redirect';
import { SessionProvider } from '../auth/session';
import { ADMIN } from '../test/fixtures';
import { AuthCallback } from './AuthCallback';

function arrive(query: string) {
  const posted: unknown[] = [];
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const path = String(input);
    if (path === '/api/auth/google/callback') {
      posted.push(JSON.parse(String(init?.body)));
      return Response.json({ token: 'session-token', user: ADMIN });
    }
    return Response.json(ADMIN); // /api/auth/me
  });
  render(
    <SessionProvider>
      <MemoryRouter initialEntries={[`/auth/callback?${query}`]}>
        <Routes>
          <Route path="/auth/callback" element={<AuthCallback />} />
          <Route path="/issues" element={<p>Issues page</p>} />
        </Routes>
      </MemoryRouter>
    </SessionProvider>,
  );
  return posted;
}

describe('the Google callback', () => {
  it('posts code and state when the state is ours, then goes where sign-in began', async () => {
    sessionStorage.setItem(GOOGLE_STATE_KEY, 'state-1');
    sessionStorage.setItem(GOOGLE_NEXT_KEY, '/issues');
    const posted = arrive('code=abc&state=state-1');
    expect(await screen.findByText('Issues page')).toBeTruthy();
    expect(posted).toEqual([{ code: 'abc', state: 'state-1' }]);
    expect(localStorage.getItem('argus.token')).toBe('session-token');
  });

  it('refuses a state it did not hand out (login CSRF)', async () => {
    sessionStorage.setItem(GOOGLE_STATE_KEY, 'state-1');
    const posted = arrive('code=abc&state=forged');
    expect((await screen.findByRole('alert')).textContent).toContain('not started here');
    await waitFor(() => expect(posted).toEqual([]));
  });
});
