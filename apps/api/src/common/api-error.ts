import { HttpException, HttpStatus } from '@nestjs/common';
import type { FieldProblem, Problem, ProblemCode, ProblemValues } from '@libs/domain';

export interface ErrorDetail {
  field: string;
  problem: string;
  /** the line of an uploaded file the problem is on */
  line?: number;
  /** the problem's code (libs/domain/problems.ts), where its words are one of the API's wordings */
  code?: ProblemCode;
  values?: ProblemValues;
}

/**
 * Every error body: { statusCode, error, message, details } (API.md), and for a refusal (every
 * 409 and 422) its `code` and `values` beside the English message (libs/domain/problems.ts).
 */
export class ApiError extends HttpException {
  readonly code?: ProblemCode;
  readonly values?: ProblemValues;

  constructor(
    status: HttpStatus,
    message: string | Problem,
    readonly details: ErrorDetail[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(typeof message === 'string' ? message : message.message, status);
    if (typeof message !== 'string') {
      this.code = message.code;
      this.values = message.values;
    }
  }

  /** The body's fields after `message` and `details`: the code and values, then anything else. */
  get tail(): Record<string, unknown> {
    return { ...(this.code ? { code: this.code, values: this.values } : {}), ...this.extra };
  }
}

export const notFound = (what: string) => new ApiError(HttpStatus.NOT_FOUND, `${what} not found`);
export const badRequest = (message: string, details: ErrorDetail[] = []) => new ApiError(HttpStatus.BAD_REQUEST, message, details);
/** A 409: the record's state does not allow it. The problem's code and values go with its message. */
export const conflict = (problem: Problem, details: ErrorDetail[] = [], extra: Record<string, unknown> = {}) =>
  new ApiError(HttpStatus.CONFLICT, problem, details, extra);
/** A 422: each detail names a field and its problem, with its code. */
export const unprocessable = (problem: Problem, details: FieldProblem[], extra: Record<string, unknown> = {}) =>
  new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, problem, details, extra);
export const unavailable = (message: string, details: ErrorDetail[] = [], extra: Record<string, unknown> = {}) =>
  new ApiError(HttpStatus.SERVICE_UNAVAILABLE, message, details, extra);
