import { Module } from '@nestjs/common';
import { AllegationsModule } from '../allegations/allegations.module';
import { TransparencyModule } from '../transparency/transparency.module';
import { BundleService } from './bundle.service';
import { ExportsController } from './exports.controller';

@Module({ imports: [AllegationsModule, TransparencyModule], controllers: [ExportsController], providers: [BundleService] })
export class ExportsModule {}
