// Types every workflow shares with the API and the activities. No import of the Temporal SDK:
// the activities and the API read these without loading workflow code.
import type { Role } from '@libs/auth/principal';
import type { ProblemCode, ProblemValues } from '@libs/domain';

/** Who asks for a decision. The API passes the verified token's claims; the workflow re-checks them. */
export interface Actor {
  userId: string;
  username?: string;
  roles: Role[];
  authorityId?: string;
  forceId?: string;
}

/** The failure type a validator refuses with; the API answers it with 409 and the current state. */
export const DECISION_REFUSED = 'DecisionRefused';

/**
 * Why a decision is refused: `rule` names the check (role, tenant, force, state, repeated, ...),
 * `code` and `values` the reason (libs/domain/problems.ts), `message` its English.
 */
export interface Refusal {
  rule: string;
  message: string;
  code: ProblemCode;
  values: ProblemValues;
}
