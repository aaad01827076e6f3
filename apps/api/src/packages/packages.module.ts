import { Module } from '@nestjs/common';
import { AllegationsModule } from '../allegations/allegations.module';
import { EvidenceModule } from '../evidence/evidence.module';
import { PackagesController } from './packages.controller';
import { PackagesService } from './packages.service';

@Module({ imports: [AllegationsModule, EvidenceModule], controllers: [PackagesController], providers: [PackagesService] })
export class PackagesModule {}
