// The pages call the app's own JSON API over loopback HTTP with the signed-in user's token, so
// every rule, validation error, 409 refusal, audit event and tenancy check is the API's own.
import type { Request } from 'express';
import { Readable } from 'node:stream';
import type { Response as ExpressResponse } from 'express';

export interface ErrorDetail {
  field: string;
  problem: string;
  /** the problem's code and the values its words name (problems.ts shows it in the page's language) */
  code?: string;
  values?: Record<string, unknown>;
}

/** A non-2xx answer from the API, kept whole so a page can show its message and details. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: { message?: string; details?: ErrorDetail[]; state?: unknown; [key: string]: unknown },
  ) {
    super(body?.message ?? `the API answered ${status}`);
  }
  get details(): ErrorDetail[] {
    return Array.isArray(this.body?.details) ? this.body.details : [];
  }
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: ReadableStream<Uint8Array> | null;
}

/** The address this request arrived on: the API is the same server. */
export function loopbackBase(req: Request): string {
  const address = req.socket.localAddress ?? '127.0.0.1';
  const host = address === '::' || address === '0.0.0.0' ? '127.0.0.1' : address.startsWith('::ffff:') ? address.slice(7) : address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${req.socket.localPort}`;
}

export class ApiClient {
  /**
   * `clientIp` goes on as X-Forwarded-For: the API trusts it from loopback only, so its logs and
   * any per-client rate limit see the person's address, not the web layer's.
   */
  constructor(
    private readonly base: string,
    private readonly token: string | undefined,
    private readonly requestId?: string,
    private readonly clientIp?: string,
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      accept: 'application/json',
      ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      ...(this.requestId ? { 'x-request-id': this.requestId } : {}),
      ...(this.clientIp ? { 'x-forwarded-for': this.clientIp } : {}),
      ...extra,
    };
  }

  async get<T = unknown>(path: string, headers: Record<string, string> = {}): Promise<T> {
    return this.json<T>(await fetch(this.base + path, { headers: this.headers(headers) }));
  }

  async post<T = unknown>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
    return this.json<T>(
      await fetch(this.base + path, { method: 'POST', headers: this.headers({ 'content-type': 'application/json', ...headers }), body: JSON.stringify(body) }),
    );
  }

  async patch<T = unknown>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
    return this.json<T>(
      await fetch(this.base + path, { method: 'PATCH', headers: this.headers({ 'content-type': 'application/json', ...headers }), body: JSON.stringify(body) }),
    );
  }

  async put<T = unknown>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
    return this.json<T>(
      await fetch(this.base + path, { method: 'PUT', headers: this.headers({ 'content-type': 'application/json', ...headers }), body: JSON.stringify(body) }),
    );
  }

  async delete<T = unknown>(path: string, headers: Record<string, string> = {}): Promise<T> {
    return this.json<T>(await fetch(this.base + path, { method: 'DELETE', headers: this.headers(headers) }));
  }

  /** Streams a request body through (evidence files), never holding it whole. */
  async upload<T = unknown>(path: string, body: Readable, headers: Record<string, string>): Promise<T> {
    const init = { method: 'POST', headers: this.headers(headers), body: body as unknown as ReadableStream, duplex: 'half' } as RequestInit;
    return this.json<T>(await fetch(this.base + path, init));
  }

  /** A response to pass through as it is (a PDF or JSON bundle download), errors as ApiFailure. */
  async download(path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
    const res = await fetch(this.base + path, { headers: this.headers({ accept: '*/*', ...headers }) });
    if (!res.ok) return this.json(res);
    return { status: res.status, headers: res.headers, body: res.body };
  }

  private async json<T>(res: Response): Promise<T> {
    const text = await res.text();
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = { message: text.slice(0, 500) };
    }
    // The API's refusals are JSON objects (message, details, code); anything else is kept as it came.
    if (!res.ok) throw new ApiFailure(res.status, (body ?? {}) as ApiFailure['body']);
    return body as T;
  }
}

const PASSED_HEADERS = [
  'content-type',
  'content-length',
  'content-disposition',
  'x-content-sha256',
  'repr-digest',
  'x-bundle-sha256',
  'x-content-type-options',
];

/** Sends a downloaded API response on to the browser as it streams, with its identifying headers. */
export async function passThrough(res: ExpressResponse, download: RawResponse): Promise<void> {
  res.status(download.status);
  for (const name of PASSED_HEADERS) {
    const value = download.headers.get(name);
    if (value) res.setHeader(name, value);
  }
  res.setHeader('Cache-Control', 'no-store');
  if (!download.body) return void res.end();
  const body = Readable.fromWeb(download.body as import('node:stream/web').ReadableStream<Uint8Array>);
  body.on('error', () => res.destroy());
  body.pipe(res);
}
