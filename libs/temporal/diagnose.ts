// When the Temporal SDK cannot connect it says little more than "Failed to connect before the
// deadline", whatever the cause. This probe makes the same TCP and TLS connection the SDK makes
// (same CA, client certificate and server name) with Node's own TLS, whose errors are specific,
// and names the setting to fix. It never shows a file's contents or the API key.
import { readFileSync } from 'node:fs';
import { isIP, Socket } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, TLSSocket } from 'node:tls';
import { temporalUsesTls, type TemporalConfig } from '@libs/config';

/** A start-up failure to reach Temporal, in one line that names the setting to look at. */
export class TemporalConnectError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TemporalConnectError';
  }
}

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
]);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ETIMEDOUT']);

export function splitAddress(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(address.slice(at + 1)) };
}

/** The name the server's certificate must carry: TEMPORAL_TLS_SERVER_NAME, else the address's host. */
export function expectedServerName(config: TemporalConfig): string {
  return config.TEMPORAL_TLS_SERVER_NAME ?? splitAddress(config.TEMPORAL_ADDRESS).host;
}

function reasonForTlsError(config: TemporalConfig, error: NodeJS.ErrnoException, afterHandshake: boolean): string {
  const code = error.code ?? '';
  const address = config.TEMPORAL_ADDRESS;
  if (UNREACHABLE.has(code)) return `TEMPORAL_ADDRESS: nothing accepts connections at ${address} (${code})`;
  if (UNTRUSTED.has(code)) {
    return config.TEMPORAL_TLS_CA
      ? `TEMPORAL_TLS_CA: the Temporal server at ${address} presented a certificate that the CA in TEMPORAL_TLS_CA did not sign (${code})`
      : `TEMPORAL_TLS_CA: the Temporal server at ${address} presented a certificate that no system-trusted CA signed; set TEMPORAL_TLS_CA to the CA certificate that did (${code})`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return config.TEMPORAL_TLS_SERVER_NAME
      ? `TEMPORAL_TLS_SERVER_NAME: the Temporal server's certificate is not for "${config.TEMPORAL_TLS_SERVER_NAME}" (${error.message.replace(/^.*?:\s*/, '').replace(/\.$/, '')})`
      : `TEMPORAL_TLS_SERVER_NAME: the Temporal server's certificate is not for "${expectedServerName(config)}", the host in TEMPORAL_ADDRESS; set TEMPORAL_TLS_SERVER_NAME to a name it is for (${error.message.replace(/^.*?:\s*/, '').replace(/\.$/, '')})`;
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID')
    return `TEMPORAL_ADDRESS: the Temporal server at ${address} presented a certificate that is out of date (${code}); renew the server's certificate`;
  if (/WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST/.test(code) || /wrong version number|packet length too long/.test(error.message)) {
    return `TEMPORAL_TLS: the server at ${address} does not speak TLS; remove the TEMPORAL_TLS_* settings (or set TEMPORAL_TLS=false), or point TEMPORAL_ADDRESS at the TLS port`;
  }
  if (
    afterHandshake ||
    /ALERT_(CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|ACCESS_DENIED|DECRYPT_ERROR)/.test(code)
  ) {
    return config.TEMPORAL_TLS_CERT
      ? `TEMPORAL_TLS_CERT: the Temporal server at ${address} refused the client certificate in TEMPORAL_TLS_CERT (is it signed by a CA the server trusts?)${code ? ` (${code})` : ''}`
      : `TEMPORAL_TLS_CERT: the Temporal server at ${address} requires a client certificate (mutual TLS); set TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY${code ? ` (${code})` : ''}`;
  }
  return `TEMPORAL_ADDRESS: the TLS connection to ${address} failed (${code || error.message.split('\n')[0].slice(0, 200)})`;
}

const HTTP2_PREFACE = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);

/**
 * Connects as the SDK would and sends the HTTP/2 preface. Resolves undefined when the server
 * answers (the transport is fine; the cause is elsewhere), or the reason naming the setting.
 */
export function diagnoseTemporalConnection(config: TemporalConfig, timeoutMs = 5_000): Promise<string | undefined> {
  const { host, port } = splitAddress(config.TEMPORAL_ADDRESS);
  const useTls = temporalUsesTls(config);
  return new Promise((resolve) => {
    let handshaken = !useTls;
    let socket: Socket | TLSSocket;
    const finish = (reason: string | undefined) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(reason);
    };
    const timer = setTimeout(
      () =>
        finish(
          handshaken
            ? undefined
            : `TEMPORAL_ADDRESS: no TLS handshake with ${config.TEMPORAL_ADDRESS} within ${timeoutMs} ms (is it a Temporal frontend, and does it speak TLS?)`,
        ),
      timeoutMs,
    );
    if (useTls) {
      const name = expectedServerName(config);
      socket = tlsConnect({
        host,
        port,
        servername: isIP(name) ? undefined : name,
        ALPNProtocols: ['h2'],
        ca: config.TEMPORAL_TLS_CA ? readFileSync(config.TEMPORAL_TLS_CA) : undefined,
        cert: config.TEMPORAL_TLS_CERT ? readFileSync(config.TEMPORAL_TLS_CERT) : undefined,
        key: config.TEMPORAL_TLS_KEY ? readFileSync(config.TEMPORAL_TLS_KEY) : undefined,
        checkServerIdentity: (_host, cert) => checkServerIdentity(name, cert),
      });
      socket.once('secureConnect', () => {
        handshaken = true;
        socket.write(HTTP2_PREFACE);
      });
    } else {
      socket = new Socket();
      socket.connect(port, host, () => socket.write(HTTP2_PREFACE));
    }
    socket.once('data', (chunk: Buffer) => {
      // A TLS server answering plain HTTP/2: an alert record (0x15 0x03) or Go's HTTP 400 text.
      if (!useTls && (chunk[0] === 0x15 || chunk.subarray(0, 8).toString() === 'HTTP/1.0' || chunk.subarray(0, 8).toString() === 'HTTP/1.1')) {
        finish(
          `TEMPORAL_TLS: the Temporal server at ${config.TEMPORAL_ADDRESS} requires TLS; set TEMPORAL_TLS_CA (and TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY for mutual TLS), or TEMPORAL_TLS=true`,
        );
      } else finish(undefined);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => finish(reasonForTlsError(config, error, useTls && handshaken)));
    socket.once('close', () => {
      if (useTls && handshaken) finish(reasonForTlsError(config, Object.assign(new Error('closed after the handshake'), { code: '' }), true));
      else if (!useTls)
        finish(
          `TEMPORAL_TLS: the Temporal server at ${config.TEMPORAL_ADDRESS} closed a plain connection; if it requires TLS, set TEMPORAL_TLS_CA (and TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY for mutual TLS)`,
        );
      else finish(`TEMPORAL_ADDRESS: ${config.TEMPORAL_ADDRESS} closed the connection during the TLS handshake`);
    });
  });
}
