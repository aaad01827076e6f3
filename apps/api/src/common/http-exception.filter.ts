import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Inject } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { ApiError } from './api-error';
import { isDatabaseUnavailable, isTemporalUnavailable } from './dependency-errors';
import { errorBody } from './error-body';
import { LOGGER } from './logger.provider';

/** Shapes every error as { statusCode, error, message, details }; dependencies down become 503. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly log: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request & { id?: string }>();
    if (res.headersSent) return;
    if (exception instanceof ApiError) {
      res.status(exception.getStatus()).json(errorBody(exception.getStatus(), exception.message, exception.details, exception.tail));
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'string'
          ? response
          : Array.isArray((response as { message?: unknown }).message)
            ? (response as { message: string[] }).message.join('; ')
            : String((response as { message?: unknown }).message ?? exception.message);
      res.status(status).json(errorBody(status, message));
      return;
    }
    // A client that hangs up mid-body makes the request stream fail with ECONNRESET ("aborted"),
    // which is not the database going away (an aborted CSV upload was logged as one, with a 503).
    if (req.readableAborted) {
      this.log.info({ reqId: req.id, err: (exception as Error)?.message }, 'request body cut off by the client');
      res
        .status(HttpStatus.BAD_REQUEST)
        .json(errorBody(400, 'the request body was cut off before it ended; nothing was recorded', [{ field: 'body', problem: 'incomplete' }]));
      return;
    }
    if (isDatabaseUnavailable(exception)) {
      this.log.warn({ reqId: req.id, err: (exception as Error).message }, 'database unavailable');
      res.setHeader('Retry-After', '5');
      res
        .status(HttpStatus.SERVICE_UNAVAILABLE)
        .json(errorBody(503, 'the case database is unavailable; retry shortly', [{ field: 'database', problem: 'unavailable' }]));
      return;
    }
    if (isTemporalUnavailable(exception)) {
      this.log.warn({ reqId: req.id, err: (exception as Error).message }, 'temporal unavailable');
      res.setHeader('Retry-After', '5');
      res
        .status(HttpStatus.SERVICE_UNAVAILABLE)
        .json(errorBody(503, 'the workflow service is unavailable; retry shortly', [{ field: 'temporal', problem: 'unavailable' }]));
      return;
    }
    this.log.error(
      { reqId: req.id, err: exception instanceof Error ? { message: exception.message, stack: exception.stack } : String(exception) },
      'unhandled error',
    );
    res.status(500).json(errorBody(500, `internal error; quote request id ${req.id ?? 'unknown'} when reporting it`));
  }
}
