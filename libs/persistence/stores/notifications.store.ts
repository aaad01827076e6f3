// In-app notifications and their email delivery state, and the claims of digest-able due events
// (`notification_due_events`: one delivery per recipient and due event, whatever carries it).
// Written by the worker's notify activity (one row per recipient and due event) and its email
// sender; read and marked read by the API.
import type { NotificationAbout, NotificationAboutType } from '@libs/domain/notification-about';
import type { Queryable } from './queryable';

export interface Notification {
  id: string;
  kind: string;
  caseId: string | null;
  about: (NotificationAbout & { caseId: string | null }) | null;
  subject: string;
  body: string;
  createdAt: Date;
  readAt: Date | null;
}

/** Which of a recipient's notifications: about one kind of record, one record, and/or unread. */
export interface NotificationFilter {
  aboutType?: NotificationAboutType;
  aboutId?: string;
  unread?: boolean;
}

/** One notification to write: a recipient once per due key. */
export interface NewNotification {
  id: string;
  recipientId: string;
  caseId: string | null;
  kind: string;
  subject: string;
  body: string;
  dueKey: string;
  aboutType: string | null;
  aboutId: string | null;
}

export interface Recipient {
  id: string;
  username: string;
}

/** A notification's email, as the sender needs it. */
export interface PendingEmail {
  subject: string;
  body: string;
  email: string;
  displayName: string;
  /** the recipient's chosen language (users.language); null: never chose, English */
  language: string | null;
  reference: string | null;
}

interface NotificationRow {
  id: string;
  kind: string;
  case_id: string | null;
  about_type: string | null;
  about_id: string | null;
  subject: string;
  body: string;
  created_at: Date;
  read_at: Date | null;
}

const COLUMNS = 'id, kind, case_id, about_type, about_id, subject, body, created_at, read_at';

const toNotification = (r: NotificationRow): Notification => ({
  id: r.id,
  kind: r.kind,
  caseId: r.case_id ?? null,
  about: r.about_type ? { type: r.about_type as NotificationAboutType, id: r.about_id as string, caseId: r.case_id ?? null } : null,
  subject: r.subject,
  body: r.body,
  createdAt: r.created_at,
  readAt: r.read_at ?? null,
});

/**
 * The columns of a notification row that notify writes, in one place: the insert is built from
 * this list (one `unnest` array per column), in the order of `NewNotification`'s fields.
 */
const NOTIFICATION_COLUMNS = [
  { name: 'id', type: 'uuid', field: 'id' },
  { name: 'recipient_id', type: 'uuid', field: 'recipientId' },
  { name: 'case_id', type: 'uuid', field: 'caseId' },
  { name: 'kind', type: 'text', field: 'kind' },
  { name: 'subject', type: 'text', field: 'subject' },
  { name: 'body', type: 'text', field: 'body' },
  { name: 'due_key', type: 'text', field: 'dueKey' },
  { name: 'about_type', type: 'text', field: 'aboutType' },
  { name: 'about_id', type: 'uuid', field: 'aboutId' },
] as const satisfies readonly { name: string; type: string; field: keyof NewNotification }[];

const INSERT_NOTIFICATIONS = `INSERT INTO notifications (${NOTIFICATION_COLUMNS.map((c) => c.name).join(', ')})
  SELECT * FROM unnest(${NOTIFICATION_COLUMNS.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ')})
  ON CONFLICT (recipient_id, due_key) DO NOTHING RETURNING recipient_id, due_key`;

/** Claims each (recipient, due key) for a notification; returns the pairs claimed now, not before. */
const CLAIM_DUE_EVENTS = `INSERT INTO notification_due_events (recipient_id, due_key, notification_id)
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[])
  ON CONFLICT (recipient_id, due_key) DO NOTHING RETURNING recipient_id, due_key`;

/** The WHERE clause for a recipient's notifications matching `filter`, and its parameters. */
function matching(recipientId: string, filter: NotificationFilter): { where: string; params: unknown[] } {
  const params: unknown[] = [recipientId];
  const where = ['recipient_id = $1'];
  if (filter.aboutType) where.push(`about_type = $${params.push(filter.aboutType)}`);
  if (filter.aboutId) where.push(`about_id = $${params.push(filter.aboutId)}`);
  if (filter.unread !== undefined) where.push(filter.unread ? 'read_at IS NULL' : 'read_at IS NOT NULL');
  return { where: where.join(' AND '), params };
}

export class NotificationsStore {
  constructor(private readonly db: Queryable) {}

  /** The recipient's notifications matching the filter, newest first, at most 200. */
  async list(recipientId: string, filter: NotificationFilter): Promise<Notification[]> {
    const { where, params } = matching(recipientId, filter);
    const rows: NotificationRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM notifications WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT 200`,
      params,
    );
    return rows.map(toNotification);
  }

  /** Marks the recipient's unread notifications matching the filter read; how many it marked. */
  async markAllRead(recipientId: string, filter: NotificationFilter): Promise<number> {
    const { where, params } = matching(recipientId, { ...filter, unread: true });
    // TypeORM answers an UPDATE with [rows returned, rows affected].
    const [, marked] = await this.db.query(`UPDATE notifications SET read_at = now() WHERE ${where}`, params);
    return Number(marked);
  }

  /** Marks one of the recipient's notifications read, keeping the first time; undefined if not theirs. */
  async markRead(recipientId: string, id: string): Promise<Notification | undefined> {
    const [rows] = await this.db.query(`UPDATE notifications SET read_at = COALESCE(read_at, now()) WHERE id = $1 AND recipient_id = $2 RETURNING ${COLUMNS}`, [
      id,
      recipientId,
    ]);
    return rows?.length ? toNotification(rows[0]) : undefined;
  }

  /** Users of an authority (`authority_id`) or force (`force_id`) holding any of `roles`, by username. */
  recipientsWithRoles(column: 'authority_id' | 'force_id', owner: string, roles: string[]): Promise<Recipient[]> {
    return this.db.query(`SELECT id, username FROM users WHERE ${column} = $1 AND roles && $2::text[] ORDER BY username`, [owner, roles]);
  }

  /** The named users that exist, by username. */
  recipientsNamed(userIds: string[]): Promise<Recipient[]> {
    return this.db.query('SELECT id, username FROM users WHERE id = ANY($1::uuid[]) ORDER BY username', [userIds]);
  }

  /**
   * Inserts the rows in one statement; a (recipient, due key) already there is skipped. Answers
   * the `recipient|dueKey` pairs inserted. `label` goes in a comment that shows the batch in
   * pg_stat_activity (the kill test in test/faults looks for it).
   */
  async insertMany(rows: NewNotification[], label: string): Promise<Set<string>> {
    const columns = NOTIFICATION_COLUMNS.map((c) => rows.map((r) => r[c.field]));
    const inserted: { recipient_id: string; due_key: string }[] = await this.db.query(`/* ${label} */ ${INSERT_NOTIFICATIONS}`, columns);
    return new Set(inserted.map((row) => `${row.recipient_id}|${row.due_key}`));
  }

  /**
   * Claims each (recipient, due key) of a digest-able due event in notification_due_events for
   * the notification that is to carry it. Answers the `recipient|dueKey` pairs claimed now; a
   * pair claimed before (by a committed transaction) is not claimed again.
   */
  async claimDueEvents(claims: { recipientId: string; dueKey: string; notificationId: string }[]): Promise<Set<string>> {
    const claimed: { recipient_id: string; due_key: string }[] = await this.db.query(CLAIM_DUE_EVENTS, [
      claims.map((c) => c.recipientId),
      claims.map((c) => c.dueKey),
      claims.map((c) => c.notificationId),
    ]);
    return new Set(claimed.map((row) => `${row.recipient_id}|${row.due_key}`));
  }

  /** For due events claimed before: the due key of the notification that carried each one to its recipient. */
  async carriersOf(pairs: { recipientId: string; dueKey: string }[]): Promise<{ dueKey: string; notificationKey: string }[]> {
    const carried: { due_key: string; notification_key: string }[] = await this.db.query(
      `SELECT e.due_key, n.due_key AS notification_key FROM notification_due_events e JOIN notifications n ON n.id = e.notification_id
        WHERE (e.recipient_id, e.due_key) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))`,
      [pairs.map((p) => p.recipientId), pairs.map((p) => p.dueKey)],
    );
    return carried.map((row) => ({ dueKey: row.due_key, notificationKey: row.notification_key }));
  }

  /** Points a claim at the recipient's notification of that due key (one written before due events were claimed). */
  async pointClaimAtNotification(recipientId: string, dueKey: string): Promise<void> {
    await this.db.query(
      'UPDATE notification_due_events SET notification_id = (SELECT id FROM notifications WHERE recipient_id = $1 AND due_key = $2) WHERE recipient_id = $1 AND due_key = $2',
      [recipientId, dueKey],
    );
  }

  /**
   * One notification for every user of the authority holding `role`, written in one statement
   * (a recipient once per due key). Answers nothing: the caller needs no count.
   */
  async notifyAuthorityRole(
    authorityId: string,
    role: string,
    n: { kind: string; dueKey: string; subject: string; body: string; aboutType: string | null; aboutId: string | null },
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO notifications (id, recipient_id, case_id, kind, subject, body, due_key, about_type, about_id)
     SELECT gen_random_uuid(), u.id, NULL, $8, $2, $3, $4, $5, $6 FROM users u
     WHERE u.authority_id = $1 AND u.roles && ARRAY[$7]::text[]
     ON CONFLICT (recipient_id, due_key) DO NOTHING`,
      [authorityId, n.subject, n.body, n.dueKey, n.aboutType, n.aboutId, role, n.kind],
    );
  }

  /** The due event's notifications not yet emailed whose recipient has an address, in id order. */
  async unemailed(dueKey: string): Promise<string[]> {
    const pending: { id: string }[] = await this.db.query(
      `SELECT n.id FROM notifications n JOIN users u ON u.id = n.recipient_id
     WHERE n.due_key = $1 AND n.emailed_at IS NULL AND u.email <> '' ORDER BY n.id`,
      [dueKey],
    );
    return pending.map((p) => p.id);
  }

  /** Locks a notification still to be emailed (`SKIP LOCKED`); undefined when sent or held elsewhere. Run in a transaction. */
  async lockForEmail(id: string): Promise<PendingEmail | undefined> {
    const [row]: { subject: string; body: string; email: string; display_name: string; language: string | null; reference: string | null }[] =
      await this.db.query(
        `SELECT n.subject, n.body, u.email, u.display_name, u.language, a.reference
         FROM notifications n JOIN users u ON u.id = n.recipient_id LEFT JOIN allegations a ON a.id = n.case_id
         WHERE n.id = $1 AND n.emailed_at IS NULL FOR UPDATE OF n SKIP LOCKED`,
        [id],
      );
    return row
      ? { subject: row.subject, body: row.body, email: row.email, displayName: row.display_name, language: row.language, reference: row.reference }
      : undefined;
  }

  async wasEmailed(id: string): Promise<boolean> {
    const [now] = await this.db.query('SELECT emailed_at FROM notifications WHERE id = $1', [id]);
    return Boolean(now?.emailed_at);
  }

  async recordEmailFailure(id: string, message: string): Promise<void> {
    await this.db.query('UPDATE notifications SET email_attempts = email_attempts + 1, email_last_error = $2 WHERE id = $1', [id, message]);
  }

  async recordEmailed(id: string, messageId: string): Promise<void> {
    await this.db.query('UPDATE notifications SET emailed_at = now(), email_message_id = $2, email_attempts = email_attempts + 1 WHERE id = $1', [
      id,
      messageId,
    ]);
  }

  /** Due events with notifications still waiting for their email, oldest first, at most 500. */
  async dueKeysAwaitingEmail(maxAttempts: number): Promise<string[]> {
    const pending: { due_key: string }[] = await this.db.query(
      `SELECT n.due_key FROM notifications n JOIN users u ON u.id = n.recipient_id
      WHERE n.emailed_at IS NULL AND u.email <> '' AND n.email_attempts < $1
      GROUP BY n.due_key ORDER BY min(n.created_at) LIMIT 500`,
      [maxAttempts],
    );
    return pending.map((p) => p.due_key);
  }
}
