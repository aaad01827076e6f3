// Chain-of-custody rules for one evidence item (ACPO principles; ISO/IEC 27037). Pure: the API
// applies them under a row lock and writes the event and the item's new state together.
import { problem, type Problem, type ProblemCode, type ValuesArg } from './problems';

export const CUSTODY_ACTIONS = [
  'collected',
  'sealed',
  'resealed',
  'transferred',
  'examined',
  'packaged',
  'handed_over',
  'received',
  'returned',
  'destroyed',
] as const;
export type CustodyAction = (typeof CUSTODY_ACTIONS)[number];

/** Actions a person records through the API; the others are recorded by packaging and disposal. */
export const RECORDED_ACTIONS: readonly CustodyAction[] = ['sealed', 'resealed', 'transferred', 'examined', 'received', 'returned'];

export type EvidenceStatus = 'held' | 'packaged' | 'handed_over' | 'destroyed';

export interface CustodyItem {
  status: EvidenceStatus;
  holder: string;
  location: string | null;
  sealNumber: string | null;
}

export interface CustodyRequest {
  action: CustodyAction;
  from?: string;
  to?: string;
  location?: string;
  sealNumber?: string;
  note?: string;
}

export type CustodyDecision = { ok: true; item: CustodyItem } | { ok: false; rule: string; field: string; refusal: Problem };

const refuse = <C extends ProblemCode>(rule: string, field: string, code: C, ...values: ValuesArg<C>): CustodyDecision => ({
  ok: false,
  rule,
  field,
  refusal: problem(code, ...values),
});

/** Whether `request` may happen to `item` now, and the item's state after it. */
export function applyCustody(item: CustodyItem, request: CustodyRequest): CustodyDecision {
  const { action } = request;
  if (item.status === 'destroyed') return refuse('destroyed', 'action', 'custody.destroyed');
  if (!RECORDED_ACTIONS.includes(action)) {
    const by = action === 'destroyed' ? 'custody.recorded_by_disposal' : action === 'collected' ? 'custody.recorded_by_logging' : 'custody.recorded_by_package';
    return refuse('action', 'action', by, { action });
  }
  if (item.status === 'packaged') return refuse('locked', 'action', 'custody.locked');
  const holderMoves = action === 'transferred' || action === 'received' || action === 'returned';
  if ((holderMoves || action === 'examined') && request.from !== item.holder) {
    return refuse('holder', 'from', action === 'examined' ? 'custody.not_holder_examine' : 'custody.not_holder', { holder: item.holder });
  }
  switch (action) {
    case 'sealed':
      if (!request.sealNumber) return refuse('seal', 'sealNumber', 'custody.seal_needed');
      if (item.sealNumber === request.sealNumber) return refuse('repeated', 'sealNumber', 'custody.already_sealed_with', { sealNumber: item.sealNumber });
      if (item.sealNumber) return refuse('reseal', 'sealNumber', 'custody.needs_reseal', { sealNumber: item.sealNumber });
      return { ok: true, item: { ...item, sealNumber: request.sealNumber, location: request.location ?? item.location } };
    case 'resealed':
      if (!request.sealNumber) return refuse('seal', 'sealNumber', 'custody.reseal_number_needed');
      if (request.sealNumber === item.sealNumber) return refuse('repeated', 'sealNumber', 'custody.reseal_same_number');
      if (!request.note?.trim()) return refuse('reason', 'note', 'custody.reseal_reason_needed');
      return { ok: true, item: { ...item, sealNumber: request.sealNumber, location: request.location ?? item.location } };
    case 'examined':
      if (!request.note?.trim()) return refuse('reason', 'note', 'custody.examination_note_needed');
      return { ok: true, item: { ...item, location: request.location ?? item.location } };
    default: {
      if (!request.to?.trim()) return refuse('recipient', 'to', 'custody.recipient_needed', { action });
      if (request.to === item.holder) return refuse('recipient', 'to', 'custody.already_holds', { holder: request.to });
      // After handover the police move the item on; it is back in the authority's hands only when returned.
      return {
        ok: true,
        item: {
          ...item,
          holder: request.to,
          location: request.location ?? item.location,
          status: action === 'returned' && item.status === 'handed_over' ? 'held' : item.status,
        },
      };
    }
  }
}
