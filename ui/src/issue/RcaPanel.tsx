// The root-cause analysis: live progress while it runs, then its findings.
import { useEffect, useReducer, useState } from 'react';
import { getToken } from '../api/client';
import { api } from '../api/endpoints';
import type { Issue, Rca } from '../api/types';
import { can } from '../auth/permissions';
import { useUser } from '../auth/session';
import { ErrorNotice } from '../components/ErrorNotice';
import { GatedButton } from '../components/Gated';
import { EMPTY_VIEW, followRca, reduceRca } from './rcaStream';

const POLL_MS = 1000;
const RERUN_WAIT_MS = 60_000;

/** Wait until a re-run has taken over the stored analysis (or a minute has passed). */
async function waitForRerun(id: string, before: Rca | null): Promise<void> {
  const previous = JSON.stringify(before);
  const deadline = Date.now() + RERUN_WAIT_MS;
  while (Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, POLL_MS));
    const now = (await api.issue(id)).ai_rca;
    if (now?.status === 'investigating' || JSON.stringify(now) !== previous) return;
  }
}

export function RcaPanel({ issue }: { issue: Issue }) {
  const user = useUser();
  const stored = issue.ai_rca;
  const finished = stored?.status === 'completed' || stored?.status === 'failed';
  const [round, setRound] = useState(finished ? 0 : 1); // 0: show what is stored
  const [view, dispatch] = useReducer(reduceRca, EMPTY_VIEW);
  const [rerunError, setRerunError] = useState<Error | null>(null);
  const [queued, setQueued] = useState(false);

  useEffect(() => {
    const token = getToken();
    if (round === 0 || !token) return;
    return followRca(api.rcaStreamUrl(issue.id, token), dispatch);
  }, [issue.id, round]);

  async function rerun() {
    setRerunError(null);
    setQueued(true);
    try {
      await api.rerunRca(issue.id);
      await waitForRerun(issue.id, view.result ?? stored);
      dispatch({ type: 'open' });
      setRound((n) => n + 1);
    } catch (reason) {
      setRerunError(reason as Error);
    } finally {
      setQueued(false);
    }
  }

  const result = view.result ?? (round === 0 ? stored : null);
  const failed = view.error ?? (round === 0 && stored?.status === 'failed' ? stored.summary : null);
  const steps = view.steps.length ? view.steps : round === 0 ? (stored?.progress ?? []) : [];
  const permission = can.rerunRca(user, issue);
  // Before a run starts the server sends one `waiting` step and the browser asks again.
  const waiting = view.live && steps.every((step) => step.stage === 'waiting');

  return (
    <section className="card rca" aria-labelledby="rca-title">
      <div className="row spread">
        <h2 id="rca-title">Root-cause analysis</h2>
        {permission.allowed && (
          <GatedButton permission={permission} onClick={rerun} disabled={queued || (view.live && !waiting)}>
            {queued ? 'Queued…' : 'Re-run analysis'}
          </GatedButton>
        )}
      </div>
      <ErrorNotice error={rerunError} />
      {view.live && (
        <p className="live" role="status">
          <span className="pulse" aria-hidden="true" />{' '}
          {waiting ? 'Waiting for an analysis to start…' : 'Investigating…'}
        </p>
      )}
      {failed && (
        <div className="notice error" role="alert">
          The analysis failed: {failed}
        </div>
      )}
      {steps.length > 0 && !waiting && (
        <details open={!result} className="rca-steps">
          <summary>Progress ({steps.length} steps)</summary>
          <ol aria-label="Analysis progress" aria-live="polite">
            {steps.map((step, n) => (
              <li key={n} className={`step step-${step.stage}`}>
                <span className="badge">{step.stage.replaceAll('_', ' ')}</span>
                {step.tool && <code>{step.tool}</code>} {step.message}
              </li>
            ))}
          </ol>
        </details>
      )}
      {result && result.status === 'completed' && <RcaResult rca={result} />}
      {!result && !view.live && !failed && steps.length === 0 && (
        <p className="muted">No analysis yet.</p>
      )}
    </section>
  );
}

function RcaResult({ rca }: { rca: Rca }) {
  return (
    <div className="rca-result" data-testid="rca-result">
      <p className="muted small">
        By <strong>{rca.provider ?? rca.source ?? 'unknown'}</strong>
        {rca.tools_called.length > 0 && <> · tools: {rca.tools_called.join(', ')}</>}
      </p>
      <p className="summary">{rca.summary}</p>
      {rca.root_causes.length > 0 && (
        <>
          <h3>Root causes</h3>
          <ul>
            {rca.root_causes.map((c, n) => (
              <li key={n}>
                {c.cause} <span className="muted">({Math.round(c.probability * 100)}%)</span>
              </li>
            ))}
          </ul>
        </>
      )}
      <List title="Investigation steps" items={rca.investigation_steps} ordered />
      <List title="Suggested fixes" items={rca.suggested_fixes} />
      <List title="Related systems" items={rca.related_systems} />
      {Object.entries(rca.sections).map(([title, text]) => (
        <div key={title}>
          <h3>{title}</h3>
          <p className="pre">{text}</p>
        </div>
      ))}
    </div>
  );
}

function List({ title, items, ordered }: { title: string; items: string[]; ordered?: boolean }) {
  if (items.length === 0) return null;
  const entries = items.map((item, n) => <li key={n}>{item}</li>);
  return (
    <>
      <h3>{title}</h3>
      {ordered ? <ol>{entries}</ol> : <ul>{entries}</ul>}
    </>
  );
}
