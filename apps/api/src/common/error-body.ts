import { STATUS_CODES } from 'node:http';
import type { Response } from 'express';
import type { ErrorDetail } from './api-error';

export function errorBody(statusCode: number, message: string, details: ErrorDetail[] = [], extra: Record<string, unknown> = {}) {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, details, ...extra };
}

export function sendError(res: Response, statusCode: number, message: string, details: ErrorDetail[] = [], extra: Record<string, unknown> = {}): void {
  res.status(statusCode).json(errorBody(statusCode, message, details, extra));
}
