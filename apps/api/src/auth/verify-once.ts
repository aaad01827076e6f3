// A request's bearer token is verified once: the rate limiter (which counts by user) and the
// AuthGuard both need the result, and an RSA verification is the costliest step of a small request.
import type { Principal } from '@libs/auth/principal';
import type { TokenVerifier } from '@libs/auth/tokens';

const VERIFIED = Symbol('verified bearer token');
type WithVerified = { [VERIFIED]?: { token: string; result: Promise<Principal> } };

export function verifyOnce(req: object, verify: TokenVerifier, token: string): Promise<Principal> {
  const holder = req as WithVerified;
  if (holder[VERIFIED]?.token !== token) holder[VERIFIED] = { token, result: verify(token) };
  return holder[VERIFIED]!.result;
}
