import type { Queryable } from './queryable';
import { NotificationsStore } from './notifications.store';

/** A Queryable that answers every query with `rows` and remembers what it was asked. */
function answering(rows: unknown): Queryable & { calls: { sql: string; parameters?: unknown[] }[] } {
  const calls: { sql: string; parameters?: unknown[] }[] = [];
  return { calls, query: async (sql, parameters) => (calls.push({ sql, parameters }), rows) };
}

const row = {
  id: 'n1',
  kind: 'triage_reminder',
  case_id: 'c1',
  about_type: 'evidence',
  about_id: 'e1',
  subject: 'Evidence check',
  body: 'text',
  created_at: new Date('2026-05-01T10:00:00Z'),
  read_at: null,
};

describe('NotificationsStore', () => {
  it('maps a row to a notification, with what it is about and its case', async () => {
    const [n] = await new NotificationsStore(answering([row])).list('u1', {});
    expect(n).toEqual({
      id: 'n1',
      kind: 'triage_reminder',
      caseId: 'c1',
      about: { type: 'evidence', id: 'e1', caseId: 'c1' },
      subject: 'Evidence check',
      body: 'text',
      createdAt: row.created_at,
      readAt: null,
    });
  });

  it('a row that names nothing is about nothing', async () => {
    const [n] = await new NotificationsStore(answering([{ ...row, case_id: null, about_type: null, about_id: null }])).list('u1', {});
    expect(n.about).toBeNull();
    expect(n.caseId).toBeNull();
  });

  it('filters by what it is about and read state, as numbered parameters', async () => {
    const db = answering([]);
    await new NotificationsStore(db).list('u1', { aboutType: 'risk', aboutId: 'r1', unread: false });
    expect(db.calls[0].sql).toContain('WHERE recipient_id = $1 AND about_type = $2 AND about_id = $3 AND read_at IS NOT NULL');
    expect(db.calls[0].parameters).toEqual(['u1', 'risk', 'r1']);
  });

  it('inserts one unnest array per column, in column order, and answers the pairs inserted', async () => {
    const db = answering([{ recipient_id: 'u1', due_key: 'k' }]);
    const inserted = await new NotificationsStore(db).insertMany(
      [{ id: 'n1', recipientId: 'u1', caseId: null, kind: 'k1', subject: 's', body: 'b', dueKey: 'k', aboutType: 'risk', aboutId: 'r1' }],
      'notify: 1 due events',
    );
    expect(db.calls[0].sql).toMatch(
      /^\/\* notify: 1 due events \*\/ INSERT INTO notifications \(id, recipient_id, case_id, kind, subject, body, due_key, about_type, about_id\)/,
    );
    expect(db.calls[0].parameters).toEqual([['n1'], ['u1'], [null], ['k1'], ['s'], ['b'], ['k'], ['risk'], ['r1']]);
    expect([...inserted]).toEqual(['u1|k']);
  });

  it('claims due events with one array per column, and answers only the pairs claimed now', async () => {
    const db = answering([{ recipient_id: 'u2', due_key: 'k2' }]);
    const claimed = await new NotificationsStore(db).claimDueEvents([
      { recipientId: 'u1', dueKey: 'k1', notificationId: 'n1' },
      { recipientId: 'u2', dueKey: 'k2', notificationId: 'n2' },
    ]);
    expect(db.calls[0].parameters).toEqual([
      ['u1', 'u2'],
      ['k1', 'k2'],
      ['n1', 'n2'],
    ]);
    expect([...claimed]).toEqual(['u2|k2']);
  });
});
