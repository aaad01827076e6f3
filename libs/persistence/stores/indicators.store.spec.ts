import type { Queryable } from './queryable';
import { IndicatorsStore } from './indicators.store';

const answering = (rows: unknown): Queryable => ({ query: async () => rows });
const at = new Date('2026-11-20T00:00:00Z');

describe('IndicatorsStore', () => {
  it('reads numeric columns and counts, which PostgreSQL sends as strings, as numbers', async () => {
    const [i] = await new IndicatorsStore(
      answering([
        {
          id: 'i1',
          authority_id: 'a1',
          key: 'postal_votes_per_address',
          name: 'Postal votes',
          description: '',
          subject_type: 'address',
          threshold: '6.5',
          status: 'active',
          created_at: at,
          updated_at: at,
          open_alerts: '3',
        },
      ]),
    ).list('a1');
    expect(i).toEqual({
      id: 'i1',
      authorityId: 'a1',
      key: 'postal_votes_per_address',
      name: 'Postal votes',
      description: '',
      subjectType: 'address',
      threshold: 6.5,
      status: 'active',
      createdAt: at,
      updatedAt: at,
      openAlerts: 3,
    });
  });

  it('leaves openAlerts out where the read does not count them', async () => {
    const i = await new IndicatorsStore(answering([{ id: 'i1', threshold: '1', created_at: at, updated_at: at }])).find('a1', 'i1');
    expect(i).not.toHaveProperty('openAlerts');
  });

  it('nests an alert’s indicator and allegation, and names who decided it by username', async () => {
    const [a] = await new IndicatorsStore(
      answering([
        {
          id: 'al1',
          authority_id: 'a1',
          indicator_id: 'i1',
          indicator_key: 'k',
          indicator_name: 'n',
          subject: '12 High St',
          threshold: '6',
          peak_value: '9',
          observations: 2,
          first_observed_at: at,
          last_observed_at: at,
          status: 'linked',
          allegation_id: 'c1',
          allegation_reference: 'NS-1',
          decision_note: 'seen',
          decided_by: 'u1',
          decided_by_username: 'triage@northshire',
          decided_at: at,
          raised_at: at,
        },
      ]),
    ).listAlerts('a1', { limit: 50 });
    expect(a).toMatchObject({
      indicator: { id: 'i1', key: 'k', name: 'n' },
      threshold: 6,
      peakValue: 9,
      allegation: { id: 'c1', reference: 'NS-1' },
      decidedBy: 'triage@northshire',
    });
  });

  it('an alert with no allegation has none', async () => {
    const [a] = await new IndicatorsStore(
      answering([{ id: 'al1', threshold: '6', peak_value: '9', allegation_id: null, allegation_reference: null }]),
    ).listAlerts('a1', { limit: 50 });
    expect(a.allegation).toBeNull();
  });
});
