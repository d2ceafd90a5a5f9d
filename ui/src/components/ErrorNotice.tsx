// The API's refusal in its own words: a 403's reason, a 409's clash, a 422's rule.
import { ApiError } from '../api/client';

export function ErrorNotice({ error }: { error: Error | null }) {
  if (!error) return null;
  const title = error instanceof ApiError ? `${error.title} (${error.status})` : 'Something failed';
  return (
    <div className="notice error" role="alert">
      <strong>{title}:</strong> {error.message}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}
