// The statutory clock of an allegation (RPA 1983 s.176): proceedings must begin within a year of
// the offence, unless the court extends it. The workflow raises the "apply for an extension" task
// when the policy says, unless proceedings started, an extension was applied for, or the case
// closed first. The clock itself is libs/domain/statutory-clock.ts.
import { isOpen, notice } from '@libs/domain';
import { sleepUntil } from './deadlines';
import type { CaseContext } from './lifecycle';

export async function runStatutoryClock(c: CaseContext): Promise<void> {
  const { input, state } = c;
  const clock = state.statutoryClock!;
  const limitAt = Date.parse(clock.limitAt);
  // A year after the offence no extension can be asked, so there is no task to raise.
  if (Date.now() >= limitAt) return;
  const moot = () => !isOpen(state.status) || Boolean(state.statutoryClock?.proceedingsStartedAt || state.statutoryClock?.extensionAppliedAt);
  if (!(await sleepUntil(Date.parse(clock.extensionTaskDueAt), moot))) return;
  await c.notify({
    dueKey: `${input.caseId}:statutory-extension-task`,
    ...notice('extension_task', { reference: input.reference, limitAt: clock.limitAt }),
    to: state.triageOwnerId ? { userIds: [state.triageOwnerId], authorityRoles: ['returning_officer'] } : { authorityRoles: ['triage', 'returning_officer'] },
  });
  clock.extensionTaskSentAt = new Date(Date.now()).toISOString();
}
