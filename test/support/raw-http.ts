// What supertest and fetch will not send: requests written byte by byte to a socket (lying
// Content-Length, bodies cut off mid-way, raw control bytes in headers), against a second copy of
// the test stack's API whose logs are kept, so a suite can read what the server wrote about them.
import { AddressInfo, connect } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { createApiApp, loadApiConfigs } from '@apps/api/src/app.factory';
import { createLogger } from '@libs/logging';
import type { TestStack } from './stack';

export interface LoggedApi {
  app: INestApplication;
  port: number;
  /** every log line the API wrote, as written (pino: one JSON object per line) */
  lines: string[];
  /** the log lines parsed */
  entries(): { level: number; msg?: string; [field: string]: unknown }[];
  close(): Promise<void>;
}

/** The stack's API again (same database, keys and content store), listening on a port, logging at `level` into memory with the production logger. */
export async function startLoggedApi(stack: TestStack, env: Record<string, string> = {}, level = 'info'): Promise<LoggedApi> {
  const lines: string[] = [];
  const log = createLogger('api', level, { write: (line: string) => void lines.push(line) });
  const app = await createApiApp(loadApiConfigs({ ...stack.env, ...env }), log);
  await app.init();
  const server = app.getHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    app,
    port: (server.address() as AddressInfo).port,
    lines,
    entries: () => lines.flatMap((l) => l.split('\n').filter(Boolean)).map((l) => JSON.parse(l)),
    close: () => app.close(),
  };
}

export interface RawResponse {
  /** everything the server sent back before closing or the timeout */
  text: string;
  /** the status of each response in `text` (a pipelined remainder gets its own) */
  statuses: number[];
}

/**
 * Writes `head` (request line and headers, CRLF-separated, without the blank line) and `body` to
 * a fresh connection. `cut: true` destroys the socket right after the body, as a client that dies
 * mid-upload; `endWrite: true` half-closes instead, as a client that has nothing more to send.
 */
export function rawRequest(
  port: number,
  head: string,
  body: Buffer | string = '',
  options: { cut?: boolean; endWrite?: boolean; timeoutMs?: number } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const parts: Buffer[] = [];
    const finish = () => {
      clearTimeout(timer);
      const text = Buffer.concat(parts).toString('latin1');
      resolve({ text, statuses: [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1])) });
    };
    const timer = setTimeout(() => {
      socket.destroy();
      finish();
    }, options.timeoutMs ?? 10_000);
    socket.on('data', (chunk) => parts.push(chunk));
    socket.on('close', finish);
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error)));
    socket.on('connect', () => {
      // Latin-1, byte for byte: a head may carry raw bytes 0x80-0xff, as obs-text in header values.
      socket.write(Buffer.from(`${head}\r\n\r\n`, 'latin1'));
      socket.write(body, () => {
        if (options.cut) socket.destroy();
        else if (options.endWrite) socket.end();
      });
    });
  });
}
