// What the parts of the allegation workflow share: the case as the workflow holds it, and the
// moves a decision's effect may make. workflow.ts implements it; decisions.ts, deadlines.ts and
// statutory-clock.ts use it. Types only.
import type { Activities, NotifyInput } from '@activities';
import type { AllegationStatus, Policy } from '@libs/domain';
import type { AllegationState, AllegationWorkflowInput, DeadlineKind, DeadlineState } from './messages';

/** The activities the allegation workflow calls, and no others. */
export type LifecycleActivities = Pick<Activities, 'notify' | 'openTriage' | 'projectCase' | 'sealPackage'>;

export type Notice = Omit<NotifyInput, 'caseId' | 'authorityId'>;

/** The case as the workflow holds it. */
export interface CaseContext {
  readonly input: AllegationWorkflowInput;
  readonly state: AllegationState;
  /** the authority's policy now: `policyChanged` replaces it */
  policy(): Policy;
  /** notifies about this case */
  notify(notice: Notice): Promise<unknown>;
}

/** Why the latest phase began, for the notices the main loop sends when it begins. */
export type PhaseEntry = 'returned' | 'information_received' | 'withdrawn_while_referred';

export interface AuditEntry {
  actor: string;
  role: string;
  action: string;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

/** What a decision's effect may do to the case. */
export interface Lifecycle extends CaseContext {
  readonly activities: LifecycleActivities;
  /** moves the case to `status` (ending the current deadline), applies `change`, and projects it with `audit` */
  transition(status: AllegationStatus, audit: AuditEntry, change: () => void): Promise<AllegationState>;
  /** projects the state as it is, with `audit`, without a change of status */
  project(audit: AuditEntry): Promise<AllegationState>;
  openDeadline(kind: DeadlineKind, setAtMs: number, dueAtMs: number): DeadlineState;
  /** a new triage deadline from now, for a case back in triage */
  openTriageAgain(): void;
  /** marks why the phase the transition began was entered */
  enteredBy(entry: PhaseEntry): void;
}
