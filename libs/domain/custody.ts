// Chain-of-custody rules for one evidence item (ACPO principles; ISO/IEC 27037). Pure: the API
// applies them under a row lock and writes the event and the item's new state together.

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

export type CustodyDecision = { ok: true; item: CustodyItem } | { ok: false; rule: string; field: string; message: string };

const refuse = (rule: string, field: string, message: string): CustodyDecision => ({ ok: false, rule, field, message });

/** Whether `request` may happen to `item` now, and the item's state after it. */
export function applyCustody(item: CustodyItem, request: CustodyRequest): CustodyDecision {
  const { action } = request;
  if (item.status === 'destroyed') return refuse('destroyed', 'action', 'the item was destroyed; nothing can happen to it any more');
  if (!RECORDED_ACTIONS.includes(action)) {
    return refuse(
      'action',
      'action',
      `${action} is recorded by ${action === 'destroyed' ? 'the disposal review' : action === 'collected' ? 'logging the item' : 'the evidence package'}, not directly`,
    );
  }
  if (item.status === 'packaged') return refuse('locked', 'action', 'the item is locked in a sealed evidence package');
  const holderMoves = action === 'transferred' || action === 'received' || action === 'returned';
  if ((holderMoves || action === 'examined') && request.from !== item.holder) {
    return refuse(
      'holder',
      'from',
      `only the current holder (${item.holder}) can ${action === 'examined' ? 'release the item for examination' : 'pass the item on'}`,
    );
  }
  switch (action) {
    case 'sealed':
      if (!request.sealNumber) return refuse('seal', 'sealNumber', 'sealing needs the seal number');
      if (item.sealNumber === request.sealNumber) return refuse('repeated', 'sealNumber', `the item is already sealed with ${item.sealNumber}`);
      if (item.sealNumber) return refuse('reseal', 'sealNumber', `the item is sealed with ${item.sealNumber}; a new seal number needs a reseal with a reason`);
      return { ok: true, item: { ...item, sealNumber: request.sealNumber, location: request.location ?? item.location } };
    case 'resealed':
      if (!request.sealNumber) return refuse('seal', 'sealNumber', 'a reseal needs the new seal number');
      if (request.sealNumber === item.sealNumber) return refuse('repeated', 'sealNumber', 'the new seal number is the one already on the item');
      if (!request.note?.trim()) return refuse('reason', 'note', 'a reseal needs the reason the seal was broken');
      return { ok: true, item: { ...item, sealNumber: request.sealNumber, location: request.location ?? item.location } };
    case 'examined':
      if (!request.note?.trim()) return refuse('reason', 'note', 'an examination needs a note of what was done');
      return { ok: true, item: { ...item, location: request.location ?? item.location } };
    default: {
      if (!request.to?.trim()) return refuse('recipient', 'to', `${action} needs who receives the item`);
      if (request.to === item.holder) return refuse('recipient', 'to', `${request.to} already holds the item`);
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
