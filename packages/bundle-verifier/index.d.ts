export declare const FORMAT: 'election-casework-bundle/1';
export interface Check {
  name: string;
  ok: boolean;
  detail?: string;
  problem?: string;
}
export interface Verification {
  valid: boolean;
  checks: Check[];
  problems: string[];
}
export interface VerifyOptions {
  /** the authority's checkpoint key, PEM or base64 of the raw 32 bytes */ publicKey?: string;
  /** a history answer of the case (GET /allegations/:id/history), its JSON text or parsed: each of its events must be the bundle's */ history?: unknown;
}
export declare function verifyBundle(bundle: unknown, options?: VerifyOptions): Verification;
export declare function verifyBundleText(text: string, options?: VerifyOptions): Verification;
export declare function canonicalJson(value: unknown): string;
export declare function bundleHash(bundle: Record<string, unknown>): string;
export declare function eventHash(
  caseId: string,
  prevHash: string,
  event: { seq: number; at: string; actor: string; role: string; action: string; before?: unknown; after?: unknown },
): string;
export declare function eventLeaf(caseId: string, event: { seq: number; hash: string }): Buffer;
export declare function leafHash(leaf: Uint8Array): Buffer;
export declare function rootFromInclusionProof(leafIndex: number, treeSize: number, leaf: Uint8Array, auditPath: string[]): string | null;
export declare function checkpointBody(checkpoint: { authorityId: string; treeSize: number; rootHash: string; issuedAt: string }): string;
/** The c2sp.org/signed-note key ID of an Ed25519 key (a KeyObject): SHA-256(name || 0x0A || 0x01 || key)[:4]. */
export declare function noteKeyId(name: string, key: import('node:crypto').KeyObject): Buffer;
