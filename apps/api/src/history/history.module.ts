import { Module } from '@nestjs/common';
import { AllegationsModule } from '../allegations/allegations.module';
import { HistoryController } from './history.controller';

@Module({ imports: [AllegationsModule], controllers: [HistoryController] })
export class HistoryModule {}
