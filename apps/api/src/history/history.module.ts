import { Module } from '@nestjs/common';
import { AllegationsModule } from '../allegations/allegations.module';
import { HistoryController } from './history.controller';
import { HistoryService } from './history.service';

@Module({ imports: [AllegationsModule], controllers: [HistoryController], providers: [HistoryService] })
export class HistoryModule {}
