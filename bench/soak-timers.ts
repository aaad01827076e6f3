// The timers of `npm run bench:soak`, read back from the notifications they wrote. Each timer the
// soak expects writes one notification per recipient under a due key that names its due event;
// three of the four kinds also carry their intended due time in the key, and the fourth's is
// computed from the case's offence time as the workflow computes it (libs/domain statutoryClock).
// Lateness is the row's created_at (PostgreSQL's now() in the notify activity's transaction)
// minus that due time.
import { Client } from 'pg';
import { statutoryClock } from '@libs/domain';

export type TimerKind = 'information_lapse' | 'triage_reminder' | 'triage_escalation' | 'extension_task';

export interface FiredTimer {
  caseId: string;
  kind: TimerKind;
  dueKey: string;
  dueMs: number;
  firedMs: number;
  recipients: number;
}

export interface TimerReading {
  fired: FiredTimer[];
  /** due keys of this run's cases that no expected timer explains */
  unexpected: string[];
  /** (recipient, due key) pairs with more than one row */
  duplicateRows: number;
  /** due keys whose `notification.*` audit event was written more than once (a notice sent twice) */
  duplicateSends: number;
}

const PATTERNS: [TimerKind, RegExp][] = [
  ['information_lapse', /^([0-9a-f-]{36}):information:(.+):lapsed$/],
  ['triage_reminder', /^([0-9a-f-]{36}):triage:.+:reminder:(.+)$/],
  ['triage_escalation', /^([0-9a-f-]{36}):triage:(.+):escalation$/],
  ['extension_task', /^([0-9a-f-]{36}):statutory-extension-task$/],
];

/** How many distinct due events this run's cases have had so far (for progress while waiting). */
export async function countDueEvents(db: Client, caseIds: string[]): Promise<number> {
  const [row] = (await db.query('SELECT count(DISTINCT due_key)::int AS n FROM notifications WHERE case_id = ANY($1::uuid[])', [caseIds])).rows;
  return row.n;
}

/**
 * Every notification of this run's cases, one entry per due event. `expects(caseId, kind)` says
 * whether the soak set such a timer on that case; anything else is unexpected (say, a routine
 * case's triage escalation, which must not fall due in the run).
 */
export async function readTimers(
  db: Client,
  caseIds: string[],
  extensionAfterMonths: number,
  expects: (caseId: string, kind: TimerKind) => boolean,
): Promise<TimerReading> {
  const rows: { due_key: string; case_id: string; recipients: number; fired_ms: number; rows: number; occurred_ms: number }[] = (
    await db.query(
      `SELECT n.due_key, n.case_id, count(DISTINCT n.recipient_id)::int AS recipients, count(*)::int AS rows,
              (extract(epoch FROM min(n.created_at)) * 1000)::float8 AS fired_ms,
              (extract(epoch FROM min(a.occurred_at)) * 1000)::float8 AS occurred_ms
         FROM notifications n JOIN allegations a ON a.id = n.case_id
        WHERE n.case_id = ANY($1::uuid[])
        GROUP BY n.due_key, n.case_id`,
      [caseIds],
    )
  ).rows;
  const [sends] = (
    await db.query(
      `SELECT count(*)::int AS n FROM (
         SELECT after->>'dueKey' FROM audit_events
          WHERE case_id = ANY($1::uuid[]) AND action LIKE 'notification.%'
          GROUP BY after->>'dueKey' HAVING count(*) > 1) twice`,
      [caseIds],
    )
  ).rows;
  const fired: FiredTimer[] = [];
  const unexpected: string[] = [];
  let duplicateRows = 0;
  for (const row of rows) {
    duplicateRows += row.rows - row.recipients;
    const match = PATTERNS.map(([kind, re]) => ({ kind, m: re.exec(row.due_key) })).find((p) => p.m);
    if (!match || !expects(row.case_id, match.kind)) {
      unexpected.push(row.due_key);
      continue;
    }
    const dueMs =
      match.kind === 'extension_task' ? Date.parse(statutoryClock(Number(row.occurred_ms), extensionAfterMonths).extensionTaskDueAt) : Date.parse(match.m![2]);
    fired.push({ caseId: row.case_id, kind: match.kind, dueKey: row.due_key, dueMs, firedMs: Number(row.fired_ms), recipients: row.recipients });
  }
  return { fired, unexpected, duplicateRows, duplicateSends: sends.n };
}

/**
 * An offence time whose "apply for extension" task falls due at `targetMs`: `months` calendar
 * months before it, at the same London wall-clock time. Found by correcting a guess with the
 * workflow's own arithmetic, so the two agree except where a month lacks the target's day (the
 * 29th to the 31st), when the task falls due up to three days early; the bench then reports it.
 */
export function offenceTimeForExtensionTask(targetMs: number, months: number): number {
  let guess = targetMs - months * 30.44 * 86_400_000;
  for (let i = 0; i < 4; i++) {
    const due = Date.parse(statutoryClock(guess, months).extensionTaskDueAt);
    if (due === targetMs) break;
    guess += targetMs - due;
  }
  return Math.round(guess);
}
