import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { cachedMappings, IdentityMappingLoader } from '@libs/auth/identity-mapping';
import { embeddedVerifier, jwksVerifier, refusingDeactivated } from '@libs/auth/tokens';
import { loadOrCreateSigningKeys } from '@libs/auth/keys';
import { AuthConfig } from '@libs/config';
import { TOKEN_VERIFIER } from '@libs/auth/tokens';
import { DirectoryStore, runInTenantScope } from '@libs/persistence';
import { DeactivatedUsers } from '../directory/deactivated-users';
import { AuthGuard } from './auth.guard';

/** The identity-provider mappings as the verifier reads them: every tenant's, kept for 30 s. */
export const IDENTITY_MAPPINGS = Symbol('IDENTITY_MAPPINGS');
export const IDENTITY_MAPPINGS_TTL_MS = 30_000;
export type CachedMappings = IdentityMappingLoader & { invalidate(): void };

@Global()
@Module({
  providers: [
    DeactivatedUsers,
    {
      provide: IDENTITY_MAPPINGS,
      inject: [DataSource],
      // The verifier runs before any tenant is known: it reads every tenant's rows in the system scope.
      useFactory: (db: DataSource): CachedMappings =>
        cachedMappings(() => runInTenantScope({ system: true }, () => new DirectoryStore(db).allMappings()), IDENTITY_MAPPINGS_TTL_MS),
    },
    {
      provide: TOKEN_VERIFIER,
      inject: [AuthConfig, IDENTITY_MAPPINGS, DeactivatedUsers],
      useFactory: async (config: AuthConfig, mappings: CachedMappings, deactivated: DeactivatedUsers) =>
        refusingDeactivated(
          config.AUTH_JWKS_URL
            ? jwksVerifier(config.AUTH_JWKS_URL, config.AUTH_ISSUER!, config.AUTH_AUDIENCE!, config.AUTH_JWKS_CACHE_SECONDS, mappings)
            : embeddedVerifier(await loadOrCreateSigningKeys(config.DATA_DIR)),
          (principal) => deactivated.refuses(principal),
        ),
    },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [TOKEN_VERIFIER, IDENTITY_MAPPINGS, DeactivatedUsers],
})
export class AuthModule {}
