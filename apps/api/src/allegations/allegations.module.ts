import { Module } from '@nestjs/common';
import { PoliciesModule } from '../policies/policies.module';
import { AllegationsController } from './allegations.controller';
import { AllegationsService } from './allegations.service';
import { IntakeRecoveryService } from './intake-recovery.service';
import { AllegationWorkflowStarter } from './workflow-starter';

@Module({
  imports: [PoliciesModule],
  controllers: [AllegationsController],
  providers: [AllegationsService, AllegationWorkflowStarter, IntakeRecoveryService],
  exports: [AllegationsService],
})
export class AllegationsModule {}
