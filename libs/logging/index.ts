// Structured JSON logs (pino) for every process. Secrets are redacted by path as a second line of
// defence; nothing in this codebase should log them in the first place.
import pino, { DestinationStream, Logger } from 'pino';

export type { Logger };

/** The Nest injection token of the process's logger (the API's LoggerModule provides it; the web pages use it too). */
export const LOGGER = Symbol('LOGGER');

/**
 * Characters JSON allows raw inside strings but a reader must not get raw: C1 controls (U+009B is
 * a one-character CSI that some terminals obey, so a logged token subject could drive the
 * operator's terminal) and U+2028/U+2029, which JavaScript tools read as line breaks. pino already
 * escapes C0 (CR, LF, ESC). Found by test/log-injection.e2e-spec.ts.
 */
const RAW_IN_JSON = /[\u007f-\u009f\u2028\u2029]/g;

/** A serialised log line with those characters written as \u escapes: the same JSON value, printable. */
export function escapeLogLine(line: string): string {
  return line.replace(RAW_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `level` is the process's LOG_LEVEL, read and validated by libs/config (ApiConfig, WorkerConfig). */
export function createLogger(service: string, level = 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['req.headers.authorization', '*.password', '*.token', 'DATABASE_URL'], censor: '[redacted]' },
    hooks: { streamWrite: escapeLogLine },
  };
  return destination ? pino(options, destination) : pino(options);
}
