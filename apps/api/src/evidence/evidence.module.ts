import { Module } from '@nestjs/common';
import { EvidenceConfig } from '@libs/config';
import { createContentStore } from '@libs/storage';
import { AllegationsModule } from '../allegations/allegations.module';
import { EvidenceController } from './evidence.controller';
import { CONTENT_STORE, EvidenceService } from './evidence.service';

@Module({
  imports: [AllegationsModule],
  controllers: [EvidenceController],
  providers: [EvidenceService, { provide: CONTENT_STORE, inject: [EvidenceConfig], useFactory: (config: EvidenceConfig) => createContentStore(config) }],
  exports: [CONTENT_STORE],
})
export class EvidenceModule {}
