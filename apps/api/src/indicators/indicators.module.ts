import { Module } from '@nestjs/common';
import { AllegationsModule } from '../allegations/allegations.module';
import { IndicatorAlertsController } from './alerts.controller';
import { IndicatorAlertsService } from './alerts.service';
import { IndicatorsController } from './indicators.controller';
import { IndicatorsService } from './indicators.service';

@Module({
  imports: [AllegationsModule],
  controllers: [IndicatorsController, IndicatorAlertsController],
  providers: [IndicatorsService, IndicatorAlertsService],
})
export class IndicatorsModule {}
