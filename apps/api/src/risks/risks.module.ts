import { Module } from '@nestjs/common';
import { PoliciesModule } from '../policies/policies.module';
import { RisksController } from './risks.controller';
import { RisksService } from './risks.service';

@Module({ imports: [PoliciesModule], controllers: [RisksController], providers: [RisksService] })
export class RisksModule {}
