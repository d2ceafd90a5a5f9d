// A button for an action the role table may refuse. Refused, it stays focusable with
// aria-disabled and shows the reason as its tooltip (a `disabled` button can neither be
// reached by keyboard nor show a tooltip everywhere), and pressing it does nothing.
import type { ButtonHTMLAttributes, MouseEvent } from 'react';
import type { Permission } from '../auth/permissions';

interface Props extends ButtonHTMLAttributes<HTMLButtonElement> {
  permission: Permission;
}

export function GatedButton({ permission, onClick, title, children, ...rest }: Props) {
  const reason = permission.allowed ? undefined : permission.reason;
  function click(event: MouseEvent<HTMLButtonElement>) {
    if (reason) event.preventDefault();
    else onClick?.(event);
  }
  return (
    <button
      type="button"
      {...rest}
      onClick={click}
      aria-disabled={reason ? true : undefined}
      title={reason ?? title}
    >
      {children}
    </button>
  );
}
