// Recognises "a dependency is down" so the API answers 503 instead of 500 (API.md status codes).

// Node's socket errors; PostgreSQL's admin shutdown, crash shutdown and cannot-connect-now (57P0x),
// connection exceptions (08xxx), and insufficient resources (53xxx: a full disk, out of memory,
// too many connections), which a retry later can get past and which nothing in the request caused.
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
  '53000',
  '53100',
  '53200',
  '53300',
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: string; message?: string; driverError?: unknown } | undefined;
  if (!e) return false;
  if (e.code && CONNECTION_CODES.has(e.code)) return true;
  if (e.driverError && isDatabaseUnavailable(e.driverError)) return true;
  // TypeORM releases a query runner as soon as its connection reports an error (the server ended
  // it, as a fast shutdown does to a connection idle between two statements of a transaction), and
  // refuses the runner's next statement with this error, which carries no code. Our code uses a
  // runner only inside its transaction, so this means the connection went away.
  if ((e as { name?: string }).name === 'QueryRunnerProviderAlreadyReleasedError') return true;
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|the database system is (starting up|shutting down)/i.test(
    e.message ?? '',
  );
}

export function isTemporalUnavailable(error: unknown): boolean {
  const e = error as { name?: string; message?: string; code?: number; cause?: unknown } | undefined;
  if (!e) return false;
  if (e.name === 'ServiceError' || e.name === 'TransportError') return true;
  // gRPC UNAVAILABLE (14) and DEADLINE_EXCEEDED (4)
  if (e.code === 14 || e.code === 4) return true;
  return e.cause ? isTemporalUnavailable(e.cause) : false;
}
