import { temporalClientInterceptors } from '@libs/telemetry';
import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import { TemporalConfig } from '@libs/config';
import { connectTemporalClient } from '@libs/temporal';

/** The Temporal client the API uses to start workflows and send them updates and signals. */
@Global()
@Module({
  providers: [
    {
      provide: Connection,
      inject: [TemporalConfig],
      // The SDK's default retries an unavailable server ten times over about 20 s, inside the
      // request: with Temporal down, an intake then took 23 s to answer (test:faults). Five
      // attempts (about 2 s) ride out a blip; beyond that the caller gets a 503 with Retry-After
      // and the intake outbox starts the workflow once Temporal is back. A start-up failure (bad
      // TLS files, wrong server name, no such namespace) is a TemporalConnectError naming the
      // setting, within TEMPORAL_CONNECT_TIMEOUT_MS.
      useFactory: (config: TemporalConfig) =>
        connectTemporalClient(config, { interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 5 }))] }),
    },
    {
      provide: Client,
      inject: [Connection, TemporalConfig],
      useFactory: (connection: Connection, config: TemporalConfig) =>
        new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: temporalClientInterceptors() }),
    },
  ],
  exports: [Client, Connection],
})
export class TemporalModule implements OnApplicationShutdown {
  constructor(@Inject(Connection) private readonly connection: Connection) {}

  async onApplicationShutdown(): Promise<void> {
    await this.connection.close();
  }
}
