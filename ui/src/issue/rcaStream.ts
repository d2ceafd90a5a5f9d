// The RCA stream's events folded into what the panel shows. Kept apart from React so
// the handling of progress, result and error is tested without a browser.
import type { Rca, RcaProgress } from '../api/types';

export interface RcaView {
  steps: RcaProgress[];
  result: Rca | null;
  error: string | null;
  live: boolean;
}

export const EMPTY_VIEW: RcaView = { steps: [], result: null, error: null, live: false };

export type RcaEvent =
  | { type: 'open' }
  | { type: 'progress'; step: RcaProgress }
  | { type: 'result'; rca: Rca }
  | { type: 'error'; message: string }
  | { type: 'lost' };

export function reduceRca(view: RcaView, event: RcaEvent): RcaView {
  switch (event.type) {
    case 'open':
      // Every connection replays the stored steps from the first: start the list again.
      return { ...view, steps: [], live: true, error: null };
    case 'progress': {
      const last = view.steps[view.steps.length - 1];
      if (event.step.stage === 'text' && last?.stage === 'text') {
        // Streamed text comes in pieces: grow the step instead of listing each piece.
        const grown = { ...last, message: last.message + event.step.message };
        return { ...view, steps: [...view.steps.slice(0, -1), grown] };
      }
      return { ...view, steps: [...view.steps, event.step] };
    }
    case 'result':
      return { ...view, result: event.rca, live: false, error: null };
    case 'error':
      return { ...view, error: event.message, live: false };
    case 'lost':
      return { ...view, live: false };
  }
}

function parse<T>(data: string): T | null {
  try {
    return JSON.parse(data) as T;
  } catch {
    return null;
  }
}

const CLOSED = 2; // EventSource.CLOSED, without needing the global (tests have none)

/**
 * Follow `/api/issues/{id}/rca/stream`: EventSource reconnects by itself while the
 * analysis has not started; a result or an error ends the stream for good.
 */
export function followRca(
  streamUrl: string,
  dispatch: (event: RcaEvent) => void,
  open: (url: string) => EventSource = (url) => new EventSource(url),
): () => void {
  const source = open(streamUrl);
  source.addEventListener('open', () => dispatch({ type: 'open' }));
  source.addEventListener('progress', (event) => {
    const step = parse<RcaProgress>((event as MessageEvent<string>).data);
    if (step) dispatch({ type: 'progress', step });
  });
  source.addEventListener('result', (event) => {
    const rca = parse<Rca>((event as MessageEvent<string>).data);
    if (rca) dispatch({ type: 'result', rca });
    source.close();
  });
  source.addEventListener('error', (event) => {
    const data = (event as MessageEvent<string>).data;
    if (typeof data === 'string') {
      // The server's `error` event: the analysis failed.
      const body = parse<{ message?: string }>(data);
      dispatch({ type: 'error', message: body?.message || 'The analysis failed.' });
      source.close();
    } else if (source.readyState === CLOSED) {
      dispatch({ type: 'lost' }); // refused (401/403/404): EventSource gives up
    }
    // Otherwise the connection dropped and EventSource is reconnecting.
  });
  return () => source.close();
}
