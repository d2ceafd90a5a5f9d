// How long an issue has been waiting, and the colour that says so on the dashboard.

const HOUR = 3_600_000;

export type AgeLevel = 'fresh' | 'amber' | 'red';

/** Amber over 24 hours, red over 48 hours (issue #8). */
export function ageLevel(createdAt: string, now: number = Date.now()): AgeLevel {
  const hours = (now - Date.parse(createdAt)) / HOUR;
  if (hours > 48) return 'red';
  if (hours > 24) return 'amber';
  return 'fresh';
}

/** "5 min", "3 h", "2 d": short enough for a table cell. */
export function ageText(createdAt: string, now: number = Date.now()): string {
  const minutes = Math.max(0, Math.floor((now - Date.parse(createdAt)) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

/** Open and in-progress issues are waiting on someone; resolved and closed ones are not. */
export function isActive(status: string): boolean {
  return status === 'open' || status === 'in_progress';
}

/** The colour of an issue's age: only a waiting issue can be late. */
export function waitingLevel(issue: { status: string; created_at: string }): AgeLevel {
  return isActive(issue.status) ? ageLevel(issue.created_at) : 'fresh';
}
