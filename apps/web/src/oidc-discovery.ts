// The identity provider's endpoints, read once from its discovery document
// (OIDC_ISSUER_URL/.well-known/openid-configuration) at the first sign-in or sign-out that needs them.
import { Inject, Injectable } from '@nestjs/common';
import { WebConfig } from '@libs/config';

export interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  /** RP-initiated logout; absent when the provider does not offer it */
  end_session_endpoint?: string;
}

@Injectable()
export class OidcDiscovery {
  private discovery?: Promise<Discovery>;

  constructor(@Inject(WebConfig) private readonly config: WebConfig) {}

  get(): Promise<Discovery> {
    this.discovery ??= (async () => {
      const url = `${this.config.OIDC_ISSUER_URL!.replace(/\/$/, '')}/.well-known/openid-configuration`;
      const res = await fetch(url, { headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`OpenID Connect discovery at ${url} answered ${res.status}`);
      return (await res.json()) as Discovery;
    })().catch((error) => {
      this.discovery = undefined;
      throw error;
    });
    return this.discovery;
  }
}
