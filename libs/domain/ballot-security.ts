// Ballot paper and ballot box security. The Electoral Commission asks Returning Officers to
// "prevent unauthorised access to or use of the ballot papers during all stages of the production
// process and storage between printing and the poll" and to keep ballot boxes "securely at all
// times" so that they "cannot be interfered with" (shared/seeds/000_ee9b1b5fba829520.txt). Each
// batch of papers and each box is tracked with the custody model evidence uses: every step
// recorded, a seal number checked at every step that can see it. Pure: the API applies these
// under a row lock and writes the step, the item's new state and any discrepancy together.
import { problem, type Problem, type ProblemCode, type ValuesArg } from './problems';

export const BALLOT_ITEM_KINDS = ['ballot_paper_batch', 'ballot_box'] as const;
export type BallotItemKind = (typeof BALLOT_ITEM_KINDS)[number];

/** What a person records after the item is received from the printer (or the box supplier). */
export const BALLOT_ACTIONS = ['stored', 'sealed', 'moved', 'opened', 'returned'] as const;
export type BallotAction = (typeof BALLOT_ACTIONS)[number];

export type BallotStatus = 'held' | 'sealed' | 'opened' | 'returned';

export interface BallotItem {
  kind: BallotItemKind;
  status: BallotStatus;
  location: string;
  sealNumber: string | null;
  /** papers in a batch (or expected in a box at the count); null when not known */
  quantity: number | null;
}

export interface BallotStep {
  action: BallotAction;
  location?: string;
  sealNumber?: string;
  /** the seal number read off the item at this step */
  sealNumberObserved?: string;
  /** the papers counted at this step */
  countObserved?: number;
  /** who had access to the store */
  accessBy?: string[];
  note?: string;
}

export type DiscrepancyKind = 'seal_mismatch' | 'count_mismatch';

export interface Discrepancy {
  kind: DiscrepancyKind;
  expected: string;
  observed: string;
}

export type BallotDecision = { ok: true; item: BallotItem; discrepancies: Discrepancy[] } | { ok: false; field: string; refusal: Problem };

const refuse = <C extends ProblemCode>(field: string, code: C, ...values: ValuesArg<C>): BallotDecision => ({
  ok: false,
  field,
  refusal: problem(code, ...values),
});

/**
 * Whether `step` may happen to `item` now, the item after it, and what it found that does not
 * match the record: a seal number read off the item that is not the one it was sealed with, or a
 * count that is not the quantity recorded. A step that finds a discrepancy is still recorded
 * (what was found is the record); the discrepancy goes to triage.
 */
export function applyBallotStep(item: BallotItem, step: BallotStep): BallotDecision {
  if (item.status === 'returned') return refuse('action', 'ballot.returned');
  const discrepancies: Discrepancy[] = [];
  const readsSeal = step.action === 'moved' || step.action === 'opened';
  if (readsSeal && item.sealNumber) {
    if (!step.sealNumberObserved?.trim()) return refuse('sealNumberObserved', 'ballot.read_seal', { sealNumber: item.sealNumber });
    if (step.sealNumberObserved.trim() !== item.sealNumber)
      discrepancies.push({ kind: 'seal_mismatch', expected: item.sealNumber, observed: step.sealNumberObserved.trim() });
  }
  if (step.countObserved !== undefined && item.quantity !== null && step.countObserved !== item.quantity) {
    discrepancies.push({ kind: 'count_mismatch', expected: String(item.quantity), observed: String(step.countObserved) });
  }
  switch (step.action) {
    case 'stored':
      if (!step.location?.trim()) return refuse('location', 'ballot.store_location_needed');
      if (!step.accessBy || step.accessBy.filter((a) => a.trim()).length === 0) return refuse('accessBy', 'ballot.store_access_needed');
      return { ok: true, item: { ...item, location: step.location.trim() }, discrepancies };
    case 'sealed':
      if (!step.sealNumber?.trim()) return refuse('sealNumber', 'custody.seal_needed');
      if (item.status === 'sealed') return refuse('sealNumber', 'ballot.already_sealed', { sealNumber: String(item.sealNumber) });
      return {
        ok: true,
        item: { ...item, status: 'sealed', sealNumber: step.sealNumber.trim(), location: step.location?.trim() || item.location },
        discrepancies,
      };
    case 'moved':
      if (!step.location?.trim()) return refuse('location', 'ballot.move_location_needed');
      if (step.location.trim() === item.location) return refuse('location', 'ballot.already_at', { location: String(item.location) });
      return { ok: true, item: { ...item, location: step.location.trim() }, discrepancies };
    case 'opened':
      if (item.status !== 'sealed') return refuse('action', 'ballot.only_sealed_opened');
      return { ok: true, item: { ...item, status: 'opened', sealNumber: null, location: step.location?.trim() || item.location }, discrepancies };
    case 'returned':
      if (!step.location?.trim()) return refuse('location', 'ballot.return_location_needed');
      return { ok: true, item: { ...item, status: 'returned', location: step.location.trim() }, discrepancies };
  }
}
