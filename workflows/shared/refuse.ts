// How a workflow's Update validator refuses: a non-retryable failure the API recognises by its
// type and answers with 409 (apps/api/src/allegations/decisions.service.ts), with the refusal's
// code and values (libs/domain/problems.ts) in the failure's details.
import { ApplicationFailure } from '@temporalio/workflow';
import { problem, type ProblemCode, type ValuesArg } from '@libs/domain';
import { DECISION_REFUSED, type Refusal } from './types';

export function refusedFailure({ rule, message, code, values }: Refusal): ApplicationFailure {
  return ApplicationFailure.create({ type: DECISION_REFUSED, message, nonRetryable: true, details: [{ rule, code, values }] });
}

/** A refusal: `rule` names the check, `code` and `values` the reason (its English is the message). */
export function refusal<C extends ProblemCode>(rule: string, code: C, ...values: ValuesArg<C>): Refusal {
  const { message, values: given } = problem(code, ...values);
  return { rule, code, values: given, message };
}

/** Refuses a decision: the API answers 409 with this refusal and the current state. */
export function refuse<C extends ProblemCode>(rule: string, code: C, ...values: ValuesArg<C>): never {
  throw refusedFailure(refusal(rule, code, ...values));
}
