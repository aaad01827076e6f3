import type { Queryable } from './queryable';
import { PollsStore } from './polls.store';

const answering = (rows: unknown): Queryable => ({ query: async () => rows });

/** A Queryable that answers `rows` and keeps the parameters of each statement. */
function recording(rows: unknown = []) {
  const params: unknown[][] = [];
  const db: Queryable = {
    query: async (_sql: string, p?: unknown[]) => {
      params.push(p ?? []);
      return rows;
    },
  };
  return { db, params };
}

const eventRow = (over: Record<string, unknown> = {}) => ({
  id: 'e1',
  poll_id: 'p1',
  authority_id: 'a1',
  kind: 'count',
  title: 'The count',
  starts_at: new Date('2026-05-07T21:00:00Z'),
  ends_at: null,
  venue: 'Town Hall',
  plan: null,
  police_force_id: null,
  police_contact_id: null,
  police_contact_name: null,
  created_at: new Date('2026-04-01T09:00:00Z'),
  updated_at: new Date('2026-04-01T09:00:00Z'),
  risk_ids: null,
  ...over,
});

describe('PollsStore', () => {
  it('gives a polling day back as the calendar date it was (node-postgres reads a date as local midnight)', async () => {
    const created = new Date('2026-03-01T10:00:00Z');
    const poll = await new PollsStore(
      answering([
        {
          id: 'p1',
          authority_id: 'a1',
          election_id: 'local-2026',
          title: 'Local',
          polling_day: new Date(2026, 4, 7),
          created_at: created,
          updated_at: created,
        },
      ]),
    ).findPoll('p1');
    expect(poll).toEqual({
      id: 'p1',
      authorityId: 'a1',
      electionId: 'local-2026',
      title: 'Local',
      pollingDay: '2026-05-07',
      createdAt: created,
      updatedAt: created,
    });
    const fromText = await new PollsStore(answering([{ id: 'p1', polling_day: '2026-05-07', created_at: created, updated_at: created }])).findPoll('p1');
    expect(fromText?.pollingDay).toBe('2026-05-07');
  });

  it('a poll whose election id the authority already used is not inserted: undefined', async () => {
    const store = new PollsStore(answering([]));
    expect(await store.insertPoll({ id: 'p1', authorityId: 'a1', electionId: 'x', title: 't', pollingDay: '2026-05-07', createdBy: 'u1' })).toBeUndefined();
    expect(await store.findPoll('p1')).toBeUndefined();
  });

  it('an event with no linked risks has an empty list, and its police contact’s name where the user was found', async () => {
    const bare = await new PollsStore(answering([eventRow()])).findEvent('e1');
    expect(bare).toMatchObject({ riskIds: [], policeContactId: null, policeContactName: null, endsAt: null, startsAt: new Date('2026-05-07T21:00:00Z') });
    const named = await new PollsStore(
      answering([eventRow({ police_contact_id: 'u9', police_force_id: 'northshire', police_contact_name: 'Sam Spoc', risk_ids: ['r1', 'r2'] })]),
    ).findEvent('e1');
    expect(named).toMatchObject({ riskIds: ['r1', 'r2'], policeForceId: 'northshire', policeContactId: 'u9', policeContactName: 'Sam Spoc' });
  });

  it('writes an event’s plan as JSON, and no plan as NULL', async () => {
    const plan = { summary: 'Sealed ballot boxes escorted', measures: ['escort'], emergencyContact: null };
    const withPlan = recording();
    await new PollsStore(withPlan.db).updateEvent('e1', {
      kind: 'count',
      title: 't',
      startsAt: '2026-05-07T21:00:00.000Z',
      endsAt: null,
      venue: '',
      plan,
      policeForceId: null,
      policeContactId: null,
    });
    expect(JSON.parse(withPlan.params[0][6] as string)).toEqual(plan);
    const withoutPlan = recording();
    await new PollsStore(withoutPlan.db).insertEvent({
      id: 'e1',
      pollId: 'p1',
      authorityId: 'a1',
      createdBy: 'u1',
      kind: 'count',
      title: 't',
      startsAt: '2026-05-07T21:00:00.000Z',
      endsAt: null,
      venue: '',
      plan: null,
      policeForceId: null,
      policeContactId: null,
    });
    expect(withoutPlan.params[0][8]).toBeNull();
  });

  it('reads whether a risk was linked or unlinked from the rows the statement returned', async () => {
    expect(await new PollsStore(answering([{ risk_id: 'r1' }])).linkRisk('e1', 'r1', 'a1', 'u1')).toBe(true);
    expect(await new PollsStore(answering([])).linkRisk('e1', 'r1', 'a1', 'u1')).toBe(false);
    expect(await new PollsStore(answering([{ risk_id: 'r1' }])).unlinkRisk('e1', 'r1')).toBe(true);
    expect(await new PollsStore(answering([])).unlinkRisk('e1', null)).toBe(false);
  });

  it('a force sees only the events it is the police contact of: its id is the filter', async () => {
    const forForce = recording([]);
    await new PollsStore(forForce.db).eventsOfPollForForce('p1', null);
    expect(forForce.params[0]).toEqual(['p1', null]);
  });

  it('names the counts of allegations and open risks in camelCase', async () => {
    expect(await new PollsStore(answering([{ allegations: 3, open_risks: 1 }])).namedBy('a1', 'local-2026')).toEqual({ allegations: 3, openRisks: 1 });
  });
});
