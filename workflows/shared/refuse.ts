// How a workflow's Update validator refuses: a non-retryable failure the API recognises by its
// type and answers with 409 (apps/api/src/allegations/decisions.service.ts).
import { ApplicationFailure } from '@temporalio/workflow';
import { DECISION_REFUSED, type Refusal } from './types';

export function refusedFailure({ rule, message }: Refusal): ApplicationFailure {
  return ApplicationFailure.create({ type: DECISION_REFUSED, message, nonRetryable: true, details: [{ rule }] });
}

/** Refuses a decision: the API answers 409 with this message and the current state. */
export function refuse(rule: string, message: string): never {
  throw refusedFailure({ rule, message });
}
