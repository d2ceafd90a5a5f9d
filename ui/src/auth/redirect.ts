// What survives the trip to Google and back, and where to land afterwards.
export const GOOGLE_STATE_KEY = 'argus.google.state';
export const GOOGLE_NEXT_KEY = 'argus.google.next';

/** Only paths of this site: `next` must not send the person elsewhere. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}
