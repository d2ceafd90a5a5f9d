// Resolving and closing both ask why, in the person's words; templates fill in the
// common answers with one click, and the reason can still be edited before saving.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Dialog, DialogFooter } from '../components/Dialog';
import { useAction } from '../lib/useAction';

export const RESOLVE_TEMPLATES = [
  'Fixed in production',
  'Not an issue',
  'Duplicate',
  'Config change',
  'Rolled back the deploy',
  'Fixed upstream (third party)',
] as const;

export const CLOSE_TEMPLATES = [
  'Duplicate of another issue',
  'Reported by mistake',
  "Won't fix",
  'No longer relevant',
] as const;

interface Props {
  title: string;
  question: string;
  confirm: string;
  templates: readonly string[];
  onSubmit: (reason: string) => Promise<void>;
  onClose: () => void;
}

export function ReasonDialog({ title, question, confirm, templates, onSubmit, onClose }: Props) {
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  const { run, busy, error } = useAction();
  const missing = reason.trim() === '';

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (missing) return;
    // A refusal keeps the dialog open with the API's reason in it.
    if (await run(() => onSubmit(reason.trim()))) onClose();
  }

  return (
    <Dialog title={title} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <div className="templates" role="group" aria-label="Common reasons">
          {templates.map((template) => (
            <button
              key={template}
              type="button"
              className={`chip${reason === template ? ' selected' : ''}`}
              aria-pressed={reason === template}
              onClick={() => {
                setReason(template);
                setTouched(true);
              }}
            >
              {template}
            </button>
          ))}
        </div>
        <label className="block">
          {question} <span aria-hidden="true">*</span>
          <textarea
            name="reason"
            rows={3}
            required
            data-autofocus
            value={reason}
            aria-invalid={touched && missing}
            aria-describedby="reason-help"
            onChange={(e) => setReason(e.target.value)}
            onBlur={() => setTouched(true)}
          />
        </label>
        <p id="reason-help" className={touched && missing ? 'field-error' : 'muted small'}>
          {touched && missing ? 'A reason is required.' : 'Pick a template or write your own.'}
        </p>
        <DialogFooter error={error} onCancel={onClose}>
          <button type="submit" className="primary" disabled={busy || missing}>
            {confirm}
          </button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
