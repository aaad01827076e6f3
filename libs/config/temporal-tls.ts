// Checks for the Temporal connection's TLS files and API key (TemporalConfig). Each returns the
// rest of a one-line reason after the variable's name, or undefined when the value is good. No
// reason ever quotes a file's contents, the API key, or (for the private key) the value itself.
import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function readPem(value: string, showPath: boolean): { text: string } | { problem: string } {
  if (value.includes('-----BEGIN')) return { problem: 'must be the path of a PEM file, not the PEM text itself' };
  try {
    return { text: readFileSync(value, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : code;
    return { problem: `names a file that cannot be read (${why})${showPath ? `: ${value}` : ''}` };
  }
}

/** The certificates in a PEM text, or a reason. */
function certificates(text: string, what: string): X509Certificate[] | string {
  const blocks = text.match(CERT_BLOCK) ?? [];
  if (blocks.length === 0) return `is not a PEM file of ${what} (no -----BEGIN CERTIFICATE----- block)`;
  const certs: X509Certificate[] = [];
  for (const block of blocks) {
    try {
      certs.push(new X509Certificate(block));
    } catch {
      return `holds a -----BEGIN CERTIFICATE----- block that is not a valid certificate`;
    }
  }
  return certs;
}

function expired(cert: X509Certificate, now: Date): string | undefined {
  if (new Date(cert.validTo) < now) return `holds a certificate that expired on ${new Date(cert.validTo).toISOString().slice(0, 10)}`;
  if (new Date(cert.validFrom) > now) return `holds a certificate that is not valid until ${new Date(cert.validFrom).toISOString().slice(0, 10)}`;
  return undefined;
}

/** TEMPORAL_TLS_CA: a readable PEM file of one or more certificates, none expired. */
export function caFileProblem(path: string, now = new Date()): string | undefined {
  const read = readPem(path, true);
  if ('problem' in read) return read.problem;
  const certs = certificates(read.text, 'CA certificates');
  if (typeof certs === 'string') return certs;
  for (const cert of certs) {
    const why = expired(cert, now);
    if (why) return why;
  }
  return undefined;
}

/** TEMPORAL_TLS_CERT: a readable PEM file whose first block is a certificate that is in date. */
export function certFileProblem(path: string, now = new Date()): string | undefined {
  const read = readPem(path, true);
  if ('problem' in read) return read.problem;
  const certs = certificates(read.text, 'a client certificate');
  if (typeof certs === 'string') return certs;
  return expired(certs[0], now);
}

function privateKey(text: string): KeyObject | string {
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(text))
    return 'is an encrypted private key; give the key without a passphrase (readable only by the service)';
  if (!/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(text)) return 'is not a PEM private key file (no -----BEGIN PRIVATE KEY----- block)';
  try {
    return createPrivateKey(text);
  } catch {
    return 'holds a -----BEGIN PRIVATE KEY----- block that is not a valid private key';
  }
}

/** TEMPORAL_TLS_KEY: a readable, unencrypted PEM private key; the path itself is never shown. */
export function keyFileProblem(path: string, certPath?: string): string | undefined {
  const read = readPem(path, false);
  if ('problem' in read) return read.problem;
  const key = privateKey(read.text);
  if (typeof key === 'string') return key;
  if (certPath && certFileProblem(certPath) === undefined) {
    const cert = new X509Certificate(readFileSync(certPath, 'utf8').match(CERT_BLOCK)![0]);
    if (!cert.checkPrivateKey(key)) return 'is not the private key of the certificate in TEMPORAL_TLS_CERT';
  }
  return undefined;
}

/** TEMPORAL_API_KEY: one token that can go in an Authorization header. */
export function apiKeyProblem(value: string): string | undefined {
  if (/^bearer\s/i.test(value)) return "must be the key alone, without 'Bearer '";
  if (!/^[\x21-\x7e]+$/.test(value)) return 'must be one token of printable ASCII, with no spaces or line breaks';
  return undefined;
}

/** TEMPORAL_TLS_SERVER_NAME: a DNS name or an IP address. */
export function serverNameProblem(value: string): string | undefined {
  if (/^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(value)) return undefined;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(value) || /^[0-9a-fA-F:]+$/.test(value)) return undefined;
  return 'must be a host name (such as temporal.internal) or an IP address, without a port';
}
