// A table that scrolls sideways on its own when wide, and stacks into labelled cards on
// a phone (each cell names its column in `data-label`, see styles.css).
import type { ReactNode } from 'react';

interface Props {
  columns: readonly (string | false)[];
  children: ReactNode;
  className?: string;
  busy?: boolean;
}

export function Table({ columns, children, className, busy = false }: Props) {
  return (
    <div className={`table-wrap${busy ? ' stale' : ''}`} aria-busy={busy}>
      <table className={className}>
        <thead>
          <tr>
            {columns.filter(Boolean).map((name) => (
              <th key={String(name)} scope="col">
                {name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
