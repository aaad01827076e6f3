// Structured JSON logs (pino) for every process. Secrets are redacted by path as a second line of
// defence; nothing in this codebase should log them in the first place.
import pino, { Logger } from 'pino';

export type { Logger };

export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['req.headers.authorization', '*.password', '*.token', 'DATABASE_URL'], censor: '[redacted]' },
  });
}
