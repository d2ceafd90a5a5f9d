import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import { RESOLVE_TEMPLATES, ReasonDialog } from './ReasonDialog';

function open(onSubmit = vi.fn(async (_reason: string) => {}), onClose = vi.fn()) {
  render(
    <ReasonDialog
      title="Resolve #7"
      question="How was this fixed?"
      confirm="Resolve"
      templates={RESOLVE_TEMPLATES}
      onSubmit={onSubmit}
      onClose={onClose}
    />,
  );
  return { onSubmit, onClose };
}

const confirm = () => screen.getByRole('button', { name: 'Resolve' }) as HTMLButtonElement;
const reason = () => screen.getByRole('textbox', { name: /How was this fixed/ }) as HTMLTextAreaElement;

describe('the resolve dialog', () => {
  it('needs a reason before it resolves', async () => {
    const { onSubmit } = open();
    expect(confirm().disabled).toBe(true);
    await userEvent.type(reason(), '   ');
    expect(confirm().disabled).toBe(true);
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('offers the usual answers as one-click templates', () => {
    open();
    for (const name of ['Fixed in production', 'Not an issue', 'Duplicate', 'Config change']) {
      expect(screen.getByRole('button', { name })).toBeTruthy();
    }
  });

  it('fills the reason from a template, still editable, and sends it', async () => {
    const { onSubmit, onClose } = open();
    await userEvent.click(screen.getByRole('button', { name: 'Config change' }));
    expect(reason().value).toBe('Config change');
    await userEvent.type(reason(), ': raised the pool size');
    await userEvent.click(confirm());
    expect(onSubmit).toHaveBeenCalledWith('Config change: raised the pool size');
    expect(onClose).toHaveBeenCalled();
  });

  it('stays open and shows the API refusal', async () => {
    const onSubmit = vi.fn(async () => {
      throw new ApiError(403, 'Not allowed', 'Only the issue’s assignees can resolve it.');
    });
    const { onClose } = open(onSubmit);
    await userEvent.click(screen.getByRole('button', { name: 'Not an issue' }));
    await userEvent.click(confirm());
    expect((await screen.findByRole('alert')).textContent).toContain('Not allowed (403)');
    expect(onClose).not.toHaveBeenCalled();
  });

  it('closes on Escape', async () => {
    const { onClose } = open();
    await userEvent.keyboard('{Escape}');
    expect(onClose).toHaveBeenCalled();
  });
});
