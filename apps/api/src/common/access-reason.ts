// Reads of case histories and exports are disclosures: each states why (X-Access-Reason) and to
// whom (X-Disclosed-To, the reader themselves when absent), and is written to the audit chain
// (Data Protection Act 2018 s.62: who, when, why, what, to whom).
import { badRequest } from './api-error';
import { unsafeAsSpaces } from './unsafe-text';

export interface AccessStatement {
  reason: string;
  recipient: string;
}

export function accessStatement(reasonHeader: string | undefined, recipientHeader: string | undefined, readerName: string): AccessStatement {
  const reason = reasonHeader?.trim() ?? '';
  if (reason.length < 3 || reason.length > 500) {
    throw badRequest('state why you are reading this case history in the X-Access-Reason header (3 to 500 characters)', [
      { field: 'X-Access-Reason', problem: reasonHeader === undefined ? 'is missing' : 'must be 3 to 500 characters' },
    ]);
  }
  const recipient = recipientHeader?.trim() ?? '';
  if (recipientHeader !== undefined && (recipient.length < 2 || recipient.length > 200)) {
    throw badRequest('X-Disclosed-To names who receives what is read (2 to 200 characters)', [
      { field: 'X-Disclosed-To', problem: 'must be 2 to 200 characters' },
    ]);
  }
  // CR/LF, other control characters and bidi controls never reach the record or the logs.
  const clean = unsafeAsSpaces;
  return { reason: clean(reason), recipient: clean(recipient || readerName) };
}
