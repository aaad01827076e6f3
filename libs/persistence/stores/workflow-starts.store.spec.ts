import type { Queryable } from './queryable';
import { WorkflowStartsStore } from './workflow-starts.store';

const answering = (rows: unknown): Queryable => ({ query: async () => rows });

describe('WorkflowStartsStore', () => {
  it('gives the outbox backlog as numbers', async () => {
    expect(await new WorkflowStartsStore(answering([{ pending: '3', oldest: '12.5' }])).backlog()).toEqual({ pending: 3, oldestSeconds: 12.5 });
  });

  it('takes the claimed rows from the UPDATE … RETURNING result', async () => {
    const claimed = await new WorkflowStartsStore(
      answering([[{ allegation_id: 'c1', workflow_id: 'allegation-c1', input: { reference: 'NS-1' } }], 1]),
    ).claimDue(0, 1000);
    expect(claimed).toEqual([{ allegationId: 'c1', workflowId: 'allegation-c1', input: { reference: 'NS-1' } }]);
  });
});
