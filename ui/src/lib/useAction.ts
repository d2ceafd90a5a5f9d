// One change the person asked for: busy while it runs, and the API's refusal if it fails.
import { useCallback, useState } from 'react';

export interface Action {
  /** Runs `work`; true if it succeeded, false if it failed (the error is then kept). */
  run: (work: () => Promise<unknown>) => Promise<boolean>;
  busy: boolean;
  error: Error | null;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const run = useCallback(async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      return true;
    } catch (reason) {
      setError(reason instanceof Error ? reason : new Error(String(reason)));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { run, busy, error };
}
