// The probe that names the setting behind a failed Temporal connection, against a TLS server
// that, like a Temporal frontend with requireClientAuth, wants a client certificate signed by
// its CA (test/temporal-tls.e2e-spec.ts does the same against a real Temporal server).
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:tls';
import { makeTestCertificates, TestCertificates } from '../../test/support/tls-certs';
import { loadConfig, TemporalConfig } from '@libs/config';
import { diagnoseTemporalConnection } from './diagnose';

let certs: TestCertificates;
let server: Server;
let address: string;

beforeAll(async () => {
  certs = makeTestCertificates();
  server = createServer(
    {
      cert: readFileSync(certs.serverCert),
      key: readFileSync(certs.serverKey),
      ca: readFileSync(certs.ca),
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    (socket) => {
      socket.on('error', () => undefined);
      // An HTTP/2 server's first frame: SETTINGS.
      socket.once('data', () => socket.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])));
    },
  );
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  address = `127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  certs.remove();
});

const diagnose = (env: Record<string, string>) => diagnoseTemporalConnection(loadConfig(TemporalConfig, { TEMPORAL_ADDRESS: address, ...env }), 5_000);
const mutual = () => ({ TEMPORAL_TLS_CA: certs.ca, TEMPORAL_TLS_CERT: certs.clientCert, TEMPORAL_TLS_KEY: certs.clientKey });

describe('diagnoseTemporalConnection', () => {
  it('finds nothing wrong with the right CA, certificate and key, by address or by the name in the certificate', async () => {
    expect(await diagnose(mutual())).toBeUndefined();
    expect(await diagnose({ ...mutual(), TEMPORAL_TLS_SERVER_NAME: 'localhost' })).toBeUndefined();
  });

  it('names TEMPORAL_TLS_CA when another CA signed the server certificate', async () => {
    expect(await diagnose({ ...mutual(), TEMPORAL_TLS_CA: certs.otherCa })).toMatch(
      /^TEMPORAL_TLS_CA: the Temporal server at 127\.0\.0\.1:\d+ presented a certificate that the CA in TEMPORAL_TLS_CA did not sign/,
    );
    expect(await diagnose({ TEMPORAL_TLS: 'true' })).toMatch(/^TEMPORAL_TLS_CA: .* no system-trusted CA signed; set TEMPORAL_TLS_CA/);
  });

  it('names TEMPORAL_TLS_CERT when there is no client certificate, or one the server does not trust', async () => {
    expect(await diagnose({ TEMPORAL_TLS_CA: certs.ca })).toMatch(
      /^TEMPORAL_TLS_CERT: the Temporal server at .* requires a client certificate \(mutual TLS\); set TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY/,
    );
    expect(await diagnose({ ...mutual(), TEMPORAL_TLS_CERT: certs.strangerCert, TEMPORAL_TLS_KEY: certs.strangerKey })).toMatch(
      /^TEMPORAL_TLS_CERT: the Temporal server at .* refused the client certificate in TEMPORAL_TLS_CERT/,
    );
  });

  it('names TEMPORAL_TLS_SERVER_NAME when the certificate is for other names, and lists them', async () => {
    expect(await diagnose({ ...mutual(), TEMPORAL_TLS_SERVER_NAME: 'temporal.example.org' })).toMatch(
      /^TEMPORAL_TLS_SERVER_NAME: the Temporal server's certificate is not for "temporal\.example\.org" \(.*DNS:localhost, IP Address:127\.0\.0\.1\)$/,
    );
  });

  it('names TEMPORAL_TLS when a TLS server is spoken to in plain, and TEMPORAL_ADDRESS when nothing listens', async () => {
    expect(await diagnose({})).toMatch(/^TEMPORAL_TLS: the Temporal server at .* closed a plain connection; if it requires TLS, set TEMPORAL_TLS_CA/);
    expect(await diagnoseTemporalConnection(loadConfig(TemporalConfig, { TEMPORAL_ADDRESS: '127.0.0.1:1', ...mutual() }))).toMatch(
      /^TEMPORAL_ADDRESS: nothing accepts connections at 127\.0\.0\.1:1 \(ECONNREFUSED\)$/,
    );
  });
});
