// Request metrics and, when tracing is on, the server span of each request. Installed first, so
// that refusals (rate limits, sizes) are measured too; resumeRequestTelemetry() re-enters the
// request's context after the body parsers, whose stream callbacks lose it.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context, Span } from '@opentelemetry/api';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { httpRequestDuration, intakeRequests, type IntakeOutcome } from '@libs/telemetry/api-metrics';
import type { Tracing } from '@libs/telemetry';

/** What a request's handlers note for its metrics (an intake that was an idempotent replay). */
interface RequestNotes {
  intake?: 'replay';
}

const notes = new AsyncLocalStorage<RequestNotes>();

/** Called by the intake when it answers with an earlier request's case (same Idempotency-Key). */
export function noteIntakeReplay(): void {
  const current = notes.getStore();
  if (current) current.intake = 'replay';
}

interface RequestTelemetry {
  notes: RequestNotes;
  /** the OpenTelemetry context holding the request's server span, when tracing is on */
  otelContext?: Context;
  /** runs `fn` inside the request's contexts */
  enter(fn: () => void): void;
}

const TELEMETRY = Symbol('requestTelemetry');
type WithTelemetry = Request & { [TELEMETRY]?: RequestTelemetry };

/** The route's pattern (`/allegations/:id`), never the raw path; `(unmatched)` for no route (404s, refusals before routing, static files). */
export function routeLabel(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  return route && typeof route.path === 'string' ? `${req.baseUrl ?? ''}${route.path}` : '(unmatched)';
}

function intakeOutcome(status: number, replay: boolean): IntakeOutcome {
  if (status >= 200 && status < 300) return replay ? 'replay' : 'created';
  if (status === 503) return 'unavailable';
  if (status >= 400 && status < 500) return 'refused';
  return 'error';
}

/**
 * The first middleware: times the request, labels it by route pattern when it finishes, and
 * counts intake outcomes. With tracing on, it also starts a SERVER span, continuing the caller's
 * trace when a W3C `traceparent` header is sent, and makes it the active span for everything the
 * request does (the Temporal client's StartWorkflow span becomes its child).
 */
export function requestTelemetry(tracing?: Tracing): RequestHandler {
  const otel = tracing ? (require('@opentelemetry/api') as typeof import('@opentelemetry/api')) : undefined;
  const tracer = otel?.trace.getTracer('casework-api');
  return (req: WithTelemetry, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const requestNotes: RequestNotes = {};
    let span: Span | undefined;
    let otelContext: Context | undefined;
    if (otel && tracer) {
      const parent = otel.propagation.extract(otel.ROOT_CONTEXT, req.headers);
      span = tracer.startSpan(req.method, { kind: otel.SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.path } }, parent);
      otelContext = otel.trace.setSpan(parent, span);
    }
    const telemetry: RequestTelemetry = {
      notes: requestNotes,
      otelContext,
      enter: (fn) => (otel && otelContext ? otel.context.with(otelContext, () => notes.run(requestNotes, fn)) : notes.run(requestNotes, fn)),
    };
    req[TELEMETRY] = telemetry;
    let recorded = false;
    const record = () => {
      if (recorded) return;
      recorded = true;
      const route = routeLabel(req);
      const status = res.statusCode;
      // a client that went away before the answer was complete: its status is unknown
      const finished = res.writableFinished;
      httpRequestDuration.observe(
        { method: req.method, route, status: finished ? String(status) : 'aborted' },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
      if (finished && req.method === 'POST' && route === '/allegations')
        intakeRequests.inc({ outcome: intakeOutcome(status, requestNotes.intake === 'replay') });
      if (span && otel) {
        span.updateName(route === '(unmatched)' ? req.method : `${req.method} ${route}`);
        if (route !== '(unmatched)') span.setAttribute('http.route', route);
        if (finished) span.setAttribute('http.response.status_code', status);
        if (!finished || status >= 500)
          span.setStatus({ code: otel.SpanStatusCode.ERROR, message: finished ? undefined : 'the client went away before the answer was complete' });
        span.end();
      }
    };
    res.once('finish', record);
    // a client that goes away before the answer is complete is still measured, as status `aborted`
    res.once('close', record);
    telemetry.enter(next);
  };
}

/** After the body parsers: back into the request's contexts, for the controllers. */
export function resumeRequestTelemetry(): RequestHandler {
  return (req: WithTelemetry, _res: Response, next: NextFunction) => {
    const telemetry = req[TELEMETRY];
    if (telemetry) telemetry.enter(next);
    else next();
  };
}
