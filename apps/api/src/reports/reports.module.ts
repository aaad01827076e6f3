import { Module } from '@nestjs/common';
import { ReportsController } from './reports.controller';
import { ReturnsService } from './returns.service';

@Module({
  controllers: [ReportsController],
  providers: [ReturnsService],
})
export class ReportsModule {}
