// Recognises "a dependency is down" so the API answers 503 instead of 500 (API.md status codes).

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);

export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: string; message?: string; driverError?: unknown } | undefined;
  if (!e) return false;
  if (e.code && CONNECTION_CODES.has(e.code)) return true;
  if (e.driverError && isDatabaseUnavailable(e.driverError)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|the database system is (starting up|shutting down)/i.test(e.message ?? '');
}

export function isTemporalUnavailable(error: unknown): boolean {
  const e = error as { name?: string; message?: string; code?: number; cause?: unknown } | undefined;
  if (!e) return false;
  if (e.name === 'ServiceError' || e.name === 'TransportError') return true;
  // gRPC UNAVAILABLE (14) and DEADLINE_EXCEEDED (4)
  if (e.code === 14 || e.code === 4) return true;
  return e.cause ? isTemporalUnavailable(e.cause) : false;
}
