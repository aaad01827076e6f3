import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { embeddedVerifier, jwksVerifier } from '../../../../libs/auth/tokens';
import { loadOrCreateSigningKeys } from '../../../../libs/auth/keys';
import { AuthConfig } from '../../../../libs/config';
import { TOKEN_VERIFIER } from '@libs/auth/tokens';
import { AuthGuard } from './auth.guard';

@Global()
@Module({
  providers: [
    {
      provide: TOKEN_VERIFIER,
      inject: [AuthConfig],
      useFactory: async (config: AuthConfig) =>
        config.AUTH_JWKS_URL
          ? jwksVerifier(config.AUTH_JWKS_URL, config.AUTH_ISSUER!, config.AUTH_AUDIENCE!, config.AUTH_JWKS_CACHE_SECONDS)
          : embeddedVerifier(await loadOrCreateSigningKeys(config.DATA_DIR)),
    },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [TOKEN_VERIFIER],
})
export class AuthModule {}
