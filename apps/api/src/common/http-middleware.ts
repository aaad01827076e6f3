// Express-level plumbing that runs before Nest's routing: request ids and access logs, the JSON
// body parser with errors in the API's shape, and 415 for bodies that are not JSON.
import { randomUUID } from 'node:crypto';
import express, { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { sendError } from './error-body';

export const JSON_LIMIT = '1mb';

export function requestContext(log: Logger): RequestHandler {
  return (req: Request & { id?: string; principal?: { sub: string } }, res: Response, next: NextFunction) => {
    const incoming = req.header('x-request-id');
    req.id = incoming && /^[\w.-]{1,100}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log.info({ reqId: req.id, method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10, sub: req.principal?.sub }, 'request');
    });
    next();
  };
}

const jsonParser = express.json({ limit: JSON_LIMIT, strict: true });

export function jsonBody(): RequestHandler {
  return (req, res, next) => {
    jsonParser(req, res, (error?: unknown) => {
      if (!error) return next();
      const e = error as { type?: string; status?: number; message?: string };
      if (e.type === 'entity.too.large') return sendError(res, 413, `the request body is larger than ${JSON_LIMIT}`, [{ field: 'body', problem: 'too large' }]);
      if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported')
        return sendError(res, 415, e.message ?? 'unsupported encoding', [{ field: 'Content-Type', problem: 'unsupported charset or encoding' }]);
      if (e.type === 'entity.parse.failed') return sendError(res, 400, 'the request body is not valid JSON', [{ field: 'body', problem: 'malformed JSON' }]);
      return sendError(res, e.status ?? 400, e.message ?? 'bad request body', [{ field: 'body', problem: 'unreadable' }]);
    });
  };
}

/** Routes that take a raw (non-JSON) body, such as evidence uploads, are listed here. */
export function requireJsonBodies(rawBodyRoutes: RegExp[] = []): RequestHandler {
  return (req, res, next) => {
    const hasBody = Number(req.header('content-length') ?? 0) > 0 || req.header('transfer-encoding') !== undefined;
    if (!['POST', 'PUT', 'PATCH'].includes(req.method) || !hasBody || rawBodyRoutes.some((r) => r.test(req.path))) return next();
    if (!req.is('application/json')) {
      return sendError(res, 415, 'send the request body as application/json', [{ field: 'Content-Type', problem: 'must be application/json' }]);
    }
    next();
  };
}
