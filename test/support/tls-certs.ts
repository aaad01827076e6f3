// Throw-away certificates for the TLS tests, made with the openssl CLI: a CA, a server certificate
// for 127.0.0.1 and localhost, a client certificate, and a second CA (with its own client
// certificate) that the server does not trust. EC P-256 keys, unencrypted PKCS#8 PEM, valid two days.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** a CA that signed neither the server's nor the client's certificate */
  otherCa: string;
  /** a client certificate signed by otherCa, which the server does not trust */
  strangerCert: string;
  strangerKey: string;
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string, cn: string): void {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
}

function makeLeaf(dir: string, name: string, ca: string, cn: string, extensions: string): void {
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(
    ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.pem`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    ],
    dir,
  );
}

export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'casework-tls-'));
  makeCa(dir, 'ca', 'Casework test CA');
  makeCa(dir, 'other-ca', 'Some other CA');
  const leaf = 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n';
  makeLeaf(dir, 'server', 'ca', 'localhost', `${leaf}extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n`);
  makeLeaf(dir, 'client', 'ca', 'casework-service', `${leaf}extendedKeyUsage=clientAuth\n`);
  makeLeaf(dir, 'stranger', 'other-ca', 'stranger', `${leaf}extendedKeyUsage=clientAuth\n`);
  const at = (file: string) => join(dir, file);
  return {
    dir,
    ca: at('ca.pem'),
    serverCert: at('server.pem'),
    serverKey: at('server.key'),
    clientCert: at('client.pem'),
    clientKey: at('client.key'),
    otherCa: at('other-ca.pem'),
    strangerCert: at('stranger.pem'),
    strangerKey: at('stranger.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
