import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { TemporalConfig } from '../../../../libs/config';

/** The Temporal client the API uses to start workflows and send them updates and signals. */
@Global()
@Module({
  providers: [
    {
      provide: Connection,
      inject: [TemporalConfig],
      useFactory: (config: TemporalConfig) => Connection.connect({ address: config.TEMPORAL_ADDRESS, connectTimeout: 10_000 }),
    },
    {
      provide: Client,
      inject: [Connection, TemporalConfig],
      useFactory: (connection: Connection, config: TemporalConfig) => new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }),
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
