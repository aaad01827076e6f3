import { AuditEvent, GENESIS_HASH, hashEvent, historyJsonProblem, verifyChain } from './audit';

const CASE = '6f1c2a34-0000-4000-8000-000000000001';

type Body = Omit<AuditEvent, 'hash' | 'prevHash'>;

const BODIES: Body[] = [
  {
    seq: 1,
    at: '2026-05-01T09:00:00.000Z',
    actor: 'officer-1',
    role: 'triage',
    action: 'allegation.created',
    before: null,
    after: { status: 'triage', urgency: 'routine' },
  },
  {
    seq: 2,
    at: '2026-05-01T09:05:00.000Z',
    actor: 'officer-1',
    role: 'triage',
    action: 'allegation.updated',
    before: { urgency: 'routine' },
    after: { urgency: 'urgent' },
  },
  {
    seq: 3,
    at: '2026-05-01T10:00:00.000Z',
    actor: 'officer-2',
    role: 'spoc',
    action: 'allegation.referred',
    before: { status: 'triage' },
    after: { status: 'referred', spoc: 'Sgt Jones' },
  },
  {
    seq: 4,
    at: '2026-05-02T08:30:00.000Z',
    actor: 'spoc-1',
    role: 'police',
    action: 'referral.accepted',
    before: { status: 'referred' },
    after: { status: 'accepted' },
  },
  {
    seq: 5,
    at: '2026-05-03T16:45:00.000Z',
    actor: 'officer-2',
    role: 'spoc',
    action: 'allegation.closed',
    before: { status: 'accepted' },
    after: { status: 'closed', outcome: 'no further action' },
  },
];

function buildChain(caseId: string, bodies: Body[]): AuditEvent[] {
  const events: AuditEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (const body of bodies) {
    const hash = hashEvent(caseId, prevHash, body);
    events.push({ ...body, prevHash, hash });
    prevHash = hash;
  }
  return events;
}

describe('hashEvent', () => {
  const body = BODIES[0];

  it('is a SHA-256 hex digest and deterministic', () => {
    expect(hashEvent(CASE, GENESIS_HASH, body)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashEvent(CASE, GENESIS_HASH, body)).toBe(hashEvent(CASE, GENESIS_HASH, { ...body }));
  });

  it('does not depend on key order inside before and after', () => {
    const reordered = { ...body, after: { urgency: 'routine', status: 'triage' } };
    expect(hashEvent(CASE, GENESIS_HASH, reordered)).toBe(hashEvent(CASE, GENESIS_HASH, body));
  });

  it('treats an absent before or after as null', () => {
    const withUndefined = { ...body, before: undefined };
    expect(hashEvent(CASE, GENESIS_HASH, withUndefined)).toBe(hashEvent(CASE, GENESIS_HASH, { ...body, before: null }));
  });

  it('covers the case, the previous hash and every field of the event', () => {
    const base = hashEvent(CASE, GENESIS_HASH, body);
    expect(hashEvent('another-case', GENESIS_HASH, body)).not.toBe(base);
    expect(hashEvent(CASE, 'f'.repeat(64), body)).not.toBe(base);
    const changes: Partial<Body>[] = [
      { seq: 2 },
      { at: '2026-05-01T09:00:00.001Z' },
      { actor: 'officer-9' },
      { role: 'admin' },
      { action: 'allegation.deleted' },
      { before: { status: 'closed' } },
      { after: { status: 'triage', urgency: 'urgent' } },
    ];
    for (const change of changes) expect([change, hashEvent(CASE, GENESIS_HASH, { ...body, ...change })]).not.toEqual([change, base]);
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain of five events, linked from the genesis hash', () => {
    const chain = buildChain(CASE, BODIES);
    expect(chain[0].prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < chain.length; i++) expect(chain[i].prevHash).toBe(chain[i - 1].hash);
    expect(verifyChain(CASE, chain)).toEqual({ valid: true, events: 5 });
  });

  it('accepts an empty history', () => {
    expect(verifyChain(CASE, [])).toEqual({ valid: true, events: 0 });
  });

  it('survives the JSON round trip a database makes of before and after', () => {
    const chain = buildChain(CASE, BODIES).map((e) => ({ ...e, after: JSON.parse(JSON.stringify(e.after)) }));
    expect(verifyChain(CASE, chain).valid).toBe(true);
  });

  it('names the event whose after was edited', () => {
    const chain = buildChain(CASE, BODIES);
    chain[2] = { ...chain[2], after: { status: 'referred', spoc: 'Sgt Smith' } };
    expect(verifyChain(CASE, chain)).toEqual({ valid: false, events: 5, firstBrokenSeq: 3, problem: 'content does not match its hash' });
  });

  it.each<[string, Partial<AuditEvent>]>([
    ['actor', { actor: 'someone-else' }],
    ['at', { at: '2026-05-02T08:30:00.001Z' }],
    ['action', { action: 'referral.rejected' }],
    ['before', { before: null }],
    ['hash', { hash: 'a'.repeat(64) }],
  ])('names the event whose %s was edited', (_field, change) => {
    const chain = buildChain(CASE, BODIES);
    chain[3] = { ...chain[3], ...change };
    expect(verifyChain(CASE, chain)).toMatchObject({ valid: false, firstBrokenSeq: 4 });
  });

  it('names the missing seq when a middle event is deleted', () => {
    const chain = buildChain(CASE, BODIES);
    chain.splice(2, 1);
    expect(verifyChain(CASE, chain)).toEqual({ valid: false, events: 4, firstBrokenSeq: 3, problem: 'event 3 is missing' });
  });

  it('names the missing first event', () => {
    const chain = buildChain(CASE, BODIES).slice(1);
    expect(verifyChain(CASE, chain)).toMatchObject({ valid: false, firstBrokenSeq: 1, problem: 'event 1 is missing' });
  });

  it('names the event whose prevHash was changed', () => {
    const chain = buildChain(CASE, BODIES);
    chain[3] = { ...chain[3], prevHash: chain[1].hash };
    expect(verifyChain(CASE, chain)).toEqual({
      valid: false,
      events: 5,
      firstBrokenSeq: 4,
      problem: 'prevHash does not match the previous event',
    });
  });

  it('catches a deleted event even when the later seqs are renumbered', () => {
    const chain = buildChain(CASE, BODIES);
    chain.splice(2, 1);
    const renumbered = chain.map((e, i) => ({ ...e, seq: i + 1 }));
    expect(verifyChain(CASE, renumbered)).toMatchObject({ valid: false, firstBrokenSeq: 3 });
  });

  it('refuses a chain verified against the wrong case', () => {
    expect(verifyChain('another-case', buildChain(CASE, BODIES))).toMatchObject({ valid: false, firstBrokenSeq: 1 });
  });

  it('reports only the first break when several events were edited', () => {
    const chain = buildChain(CASE, BODIES);
    chain[1] = { ...chain[1], actor: 'x' };
    chain[4] = { ...chain[4], actor: 'y' };
    expect(verifyChain(CASE, chain)).toMatchObject({ valid: false, firstBrokenSeq: 2 });
  });
});

describe('historyJsonProblem', () => {
  const stored = (event: AuditEvent, historyJsonMatches = true) => ({ ...event, historyJsonMatches });

  it('names an event whose stored text is not what its hashed content renders to', () => {
    const [event] = buildChain(CASE, BODIES);
    expect(historyJsonProblem(stored(event))).toBeUndefined();
    expect(historyJsonProblem(stored(event, false))).toBe('its text in the history answer is not what its hashed content renders to');
  });

  it('verifyChain names the first event with a problem, chain or text', () => {
    const chain = buildChain(CASE, BODIES).map((e) => stored(e));
    expect(verifyChain(CASE, chain, historyJsonProblem)).toEqual({ valid: true, events: 5 });
    chain[3] = { ...chain[3], historyJsonMatches: false };
    expect(verifyChain(CASE, chain, historyJsonProblem)).toEqual({
      valid: false,
      events: 5,
      firstBrokenSeq: 4,
      problem: 'its text in the history answer is not what its hashed content renders to',
    });
    chain[1] = { ...chain[1], actor: 'x' };
    expect(verifyChain(CASE, chain, historyJsonProblem)).toMatchObject({ firstBrokenSeq: 2, problem: 'content does not match its hash' });
  });
});
