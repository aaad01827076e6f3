import { HttpException, HttpStatus } from '@nestjs/common';

export interface ErrorDetail {
  field: string;
  problem: string;
  /** the line of an uploaded file the problem is on */
  line?: number;
}

/** Every error body: { statusCode, error, message, details } (API.md). */
export class ApiError extends HttpException {
  constructor(
    status: HttpStatus,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message, status);
  }
}

export const notFound = (what: string) => new ApiError(HttpStatus.NOT_FOUND, `${what} not found`);
export const badRequest = (message: string, details: ErrorDetail[] = []) => new ApiError(HttpStatus.BAD_REQUEST, message, details);
export const conflict = (message: string, details: ErrorDetail[] = [], extra: Record<string, unknown> = {}) =>
  new ApiError(HttpStatus.CONFLICT, message, details, extra);
export const unprocessable = (message: string, details: ErrorDetail[]) => new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, message, details);
export const unavailable = (message: string, details: ErrorDetail[] = [], extra: Record<string, unknown> = {}) =>
  new ApiError(HttpStatus.SERVICE_UNAVAILABLE, message, details, extra);
