import { Module } from '@nestjs/common';
import { CheckpointConfig } from '@libs/config';
import { loadCheckpointSigner } from '@libs/transparency';
import { TransparencyController } from './transparency.controller';
import { CHECKPOINT_SIGNER, TransparencyService } from './transparency.service';

@Module({
  controllers: [TransparencyController],
  providers: [
    TransparencyService,
    { provide: CHECKPOINT_SIGNER, inject: [CheckpointConfig], useFactory: (config: CheckpointConfig) => loadCheckpointSigner(config) },
  ],
  exports: [CHECKPOINT_SIGNER],
})
export class TransparencyModule {}
