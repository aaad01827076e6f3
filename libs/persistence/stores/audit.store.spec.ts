import type { Queryable } from './queryable';
import { AuditStore, renderHistoryJson } from './audit.store';

/** A Queryable that answers every query with `rows` and remembers what it was asked. */
function answering(rows: unknown): Queryable & { calls: { sql: string; parameters?: unknown[] }[] } {
  const calls: { sql: string; parameters?: unknown[] }[] = [];
  return { calls, query: async (sql, parameters) => (calls.push({ sql, parameters }), rows) };
}

/** A transaction's manager whose connection answers a cursor's FETCHes from `events` (JSON text), `size` at a time. */
function cursorOver(events: string[]) {
  const sent: string[] = [];
  let at = 0;
  const client = {
    query: async ({ text }: { text: string }) => {
      sent.push(text);
      const fetch = /^FETCH (\d+)/.exec(text);
      if (!fetch) return { rows: [] };
      const rows = events.slice(at, at + Number(fetch[1])).map((e) => [e]);
      at += rows.length;
      return { rows };
    },
  };
  return { sent, manager: { query: async () => [], queryRunner: { databaseConnection: client } } };
}

describe('AuditStore', () => {
  it('reads the position of a case with events: its last seq (bigint text) and hash, and the next log index', async () => {
    const position = await new AuditStore(answering([{ seq: '41', hash: 'ab'.repeat(32), log_index: '1000' }])).position('c1', 'northshire');
    expect(position).toEqual({ last: { seq: 41, hash: 'ab'.repeat(32) }, logIndex: 1000 });
  });

  it('a case with no events yet has no last event', async () => {
    expect(await new AuditStore(answering([{ seq: null, hash: null, log_index: '0' }])).position('c1', 'northshire')).toEqual({ last: null, logIndex: 0 });
  });

  it('takes the authority’s log lock with its key', async () => {
    const db = answering([]);
    await new AuditStore(db).lockLog('northshire');
    expect(db.calls[0]).toEqual({ sql: 'SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', parameters: ['audit-log:northshire'] });
  });

  it('stores before and after as JSON, null included, at the given log index', async () => {
    const db = answering([]);
    await new AuditStore(db).insert({
      caseId: 'c1',
      authorityId: 'northshire',
      seq: 1,
      at: '2026-05-01T09:00:00.000Z',
      actor: 'u1',
      role: 'triage',
      action: 'allegation.created',
      before: null,
      after: { status: 'triage' },
      prevHash: '0'.repeat(64),
      hash: 'ab'.repeat(32),
      logIndex: 7,
    });
    expect(db.calls[0].parameters).toEqual([
      'c1',
      'northshire',
      1,
      '2026-05-01T09:00:00.000Z',
      'u1',
      'triage',
      'allegation.created',
      'null',
      '{"status":"triage"}',
      '0'.repeat(64),
      'ab'.repeat(32),
      7,
    ]);
    // Its text in the history answer is rendered from the same values, in the same statement.
    expect(db.calls[0].sql).toContain('history_json)');
    expect(db.calls[0].sql).toContain('audit_event_json($3, $4, $5, $6, $7, $8, $9, $10, $11)');
  });

  it('reads events with seq as a number, at as an ISO string and absent before/after as null', async () => {
    const [event] = await new AuditStore(
      answering([
        {
          seq: '3',
          at: new Date('2026-05-01T09:00:00.123Z'),
          actor: 'u1',
          role: 'triage',
          action: 'a',
          before: undefined,
          after: null,
          prev_hash: 'p',
          hash: 'h',
        },
      ]),
    ).ofCase('c1');
    expect(event).toEqual({
      seq: 3,
      at: '2026-05-01T09:00:00.123Z',
      actor: 'u1',
      role: 'triage',
      action: 'a',
      before: null,
      after: null,
      prevHash: 'p',
      hash: 'h',
    });
  });

  it('renders an event as JSON.stringify writes it, with before and after as the jsonb text given', () => {
    const event = {
      seq: 12,
      at: '2026-05-01T09:00:00.123Z',
      actor: 'Zoë "q" \\ \u0001\u001f\u2028 🗳\n\t',
      role: 'triage',
      action: 'a.b',
      prevHash: 'p',
      hash: 'h',
    };
    const text = renderHistoryJson(event, '{"a": [1, 2.50]}', null);
    expect(text).toBe(
      `{"seq":12,"at":"2026-05-01T09:00:00.123Z","actor":${JSON.stringify(event.actor)},"role":"triage","action":"a.b","before":{"a": [1, 2.50]},"after":null,"prevHash":"p","hash":"h"}`,
    );
    expect(JSON.parse(text)).toEqual({ ...event, before: { a: [1, 2.5] }, after: null });
  });

  describe('reading events for verify', () => {
    const row = {
      seq: '1',
      at: new Date('2026-05-01T09:00:00.123Z'),
      actor: 'u "q"',
      role: 'r',
      action: 'a',
      before: null,
      after: '{"x": 1, "status": "triage"}',
      prev_hash: 'p',
      hash: 'h',
    };
    const text =
      '{"seq":1,"at":"2026-05-01T09:00:00.123Z","actor":"u \\"q\\"","role":"r","action":"a","before":null,"after":{"x": 1, "status": "triage"},"prevHash":"p","hash":"h"}';
    const read = async (historyJson: string) => (await new AuditStore(answering([{ ...row, history_json: historyJson }])).ofCaseWithHistoryJson('c1'))[0];

    it('parses before and after from their jsonb text, and finds the stored text that text renders to', async () => {
      const db = answering([{ ...row, history_json: text }]);
      const [event] = await new AuditStore(db).ofCaseWithHistoryJson('c1');
      expect(db.calls[0].sql).toContain('before::text AS before, after::text AS after');
      expect(event).toEqual({
        seq: 1,
        at: '2026-05-01T09:00:00.123Z',
        actor: 'u "q"',
        role: 'r',
        action: 'a',
        before: null,
        after: { x: 1, status: 'triage' },
        prevHash: 'p',
        hash: 'h',
        historyJsonMatches: true,
      });
    });

    it.each<[string, string]>([
      ['a changed value', text.replace('"role":"r"', '"role":"legal"')],
      ['a changed nested value', text.replace('"status": "triage"', '"status": "closed"')],
      ['a value given twice, the forged one first', text.replace('"actor":', '"actor":"someone else","actor":')],
      ['other spacing, parsing to the same event', text.replace('{"seq":', '{ "seq":')],
      ['another key order, parsing to the same event', `{"hash":"h",${text.slice(1).replace(',"hash":"h"', '')}`],
      ['an event cut short', text.slice(0, -1)],
    ])('does not match a stored text with %s', async (_what, changed) => {
      expect((await read(changed)).historyJsonMatches).toBe(false);
    });
  });

  it('streams the events as one JSON array in chunks, whatever the chunk size', async () => {
    const events = ['{"seq":1}', '{"seq":2}', '{"seq":3}', '{"seq":4}'];
    for (const size of [1, 2, 3, 4, 10]) {
      const { manager } = cursorOver(events);
      const chunks: Buffer[] = [];
      await new AuditStore(manager).streamOfCaseJson('c1', (chunk) => void chunks.push(chunk), size);
      expect(JSON.parse(chunks.join(''))).toEqual([{ seq: 1 }, { seq: 2 }, { seq: 3 }, { seq: 4 }]);
    }
    const { manager } = cursorOver([]);
    const chunks: Buffer[] = [];
    await new AuditStore(manager).streamOfCaseJson('c1', (chunk) => void chunks.push(chunk), 2);
    expect(chunks.join('')).toBe('[]');
  });

  it('streams each chunk as whole UTF-8, text outside ASCII included', async () => {
    const events = ['{"actor":"Zoë Ångström 🗳"}', '{"note":"é\\n\\"q\\""}', '{"cy":"Ŵ ŷ ŵ"}', '{"seq":4}', '{"x":"中文"}'];
    for (const size of [1, 2, 5, 6]) {
      const { manager } = cursorOver(events);
      const chunks: Buffer[] = [];
      await new AuditStore(manager).streamOfCaseJson('c1', (chunk) => void chunks.push(chunk), size);
      expect(chunks.every((chunk) => Buffer.isBuffer(chunk) && Buffer.from(chunk.toString('utf8'), 'utf8').equals(chunk))).toBe(true);
      expect(Buffer.concat(chunks).toString('utf8')).toBe(`[${events.join(',')}]`);
    }
  });

  it('refuses to stream without a transaction’s connection', async () => {
    await expect(new AuditStore(answering([])).streamOfCaseJson('c1', () => undefined, 2)).rejects.toThrow('the transaction has no connection');
  });
});
