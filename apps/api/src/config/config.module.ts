import { DynamicModule, Global, Module } from '@nestjs/common';
import { ApiConfig, AuthConfig, CheckpointConfig, DatabaseConfig, EvidenceConfig, TemporalConfig, WebConfig } from '@libs/config';

export interface ApiConfigs {
  api: ApiConfig;
  auth: AuthConfig;
  database: DatabaseConfig;
  temporal: TemporalConfig;
  evidence: EvidenceConfig;
  checkpoint: CheckpointConfig;
  web: WebConfig;
}

/** Validated configuration objects, injectable by class. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(configs: ApiConfigs): DynamicModule {
    const providers = [
      { provide: ApiConfig, useValue: configs.api },
      { provide: AuthConfig, useValue: configs.auth },
      { provide: DatabaseConfig, useValue: configs.database },
      { provide: TemporalConfig, useValue: configs.temporal },
      { provide: EvidenceConfig, useValue: configs.evidence },
      { provide: CheckpointConfig, useValue: configs.checkpoint },
      { provide: WebConfig, useValue: configs.web },
    ];
    return { module: ConfigModule, providers, exports: providers.map((p) => p.provide) };
  }
}
