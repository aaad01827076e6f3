import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Logger } from 'pino';
import { AllegationsModule } from './allegations/allegations.module';
import { AuthModule } from './auth/auth.module';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { LOGGER } from './common/logger.provider';
import { ApiConfigs, ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { EvidenceModule } from './evidence/evidence.module';
import { PackagesModule } from './packages/packages.module';
import { HealthController } from './health/health.controller';
import { HealthService } from './health/health.service';
import { HistoryModule } from './history/history.module';
import { NotificationsController } from './notifications/notifications.controller';
import { NotificationsService } from './notifications/notifications.service';
import { PoliciesModule } from './policies/policies.module';
import { RisksModule } from './risks/risks.module';
import { LiaisonModule } from './liaison/liaison.module';
import { IndicatorsModule } from './indicators/indicators.module';
import { ReportsModule } from './reports/reports.module';
import { TemporalModule } from './temporal/temporal.module';
import { TransparencyModule } from './transparency/transparency.module';
import { ExportsModule } from './exports/exports.module';
import { ReferralsModule } from './referrals/referrals.module';
import { PollsModule } from './polls/polls.module';
import { BallotSecurityModule } from './ballot-security/ballot-security.module';
import { DirectoryModule } from './directory/directory.module';
import { WebModule } from '@apps/web/src/web.module';

@Global()
@Module({})
class LoggerModule {
  static forRoot(log: Logger): DynamicModule {
    const provider: Provider = { provide: LOGGER, useValue: log };
    return { module: LoggerModule, providers: [provider], exports: [provider] };
  }
}

@Module({})
export class AppModule {
  static forRoot(configs: ApiConfigs, log: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(log),
        ConfigModule.forRoot(configs),
        DatabaseModule,
        TemporalModule,
        AuthModule,
        PoliciesModule,
        AllegationsModule,
        ReferralsModule,
        HistoryModule,
        EvidenceModule,
        PackagesModule,
        RisksModule,
        LiaisonModule,
        IndicatorsModule,
        ReportsModule,
        TransparencyModule,
        ExportsModule,
        PollsModule,
        BallotSecurityModule,
        DirectoryModule,
        WebModule,
      ],
      controllers: [HealthController, NotificationsController],
      providers: [HealthService, NotificationsService, { provide: APP_FILTER, useClass: HttpExceptionFilter }],
    };
  }
}
