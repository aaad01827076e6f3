import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { EvidenceConfig } from '../../../../libs/config';
import { FsContentStore } from '../../../../libs/storage';
import { AllegationsModule } from '../allegations/allegations.module';
import { EvidenceController } from './evidence.controller';
import { CONTENT_STORE, EvidenceService } from './evidence.service';

@Module({
  imports: [AllegationsModule],
  controllers: [EvidenceController],
  providers: [
    EvidenceService,
    { provide: CONTENT_STORE, inject: [EvidenceConfig], useFactory: (config: EvidenceConfig) => new FsContentStore(config.EVIDENCE_DIR ?? join(config.DATA_DIR, 'evidence')) },
  ],
  exports: [CONTENT_STORE],
})
export class EvidenceModule {}
