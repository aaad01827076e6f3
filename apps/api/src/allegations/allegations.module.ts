import { Module } from '@nestjs/common';
import { PoliciesModule } from '../policies/policies.module';
import { AllegationsController } from './allegations.controller';
import { AllegationsService } from './allegations.service';
import { DecisionChecks } from './decision-checks.service';
import { DecisionsController } from './decisions.controller';
import { DecisionsService } from './decisions.service';
import { IntakeRecoveryService } from './intake-recovery.service';
import { AllegationSearchService } from './search.service';
import { AllegationWorkflowStarter } from './workflow-starter';

@Module({
  imports: [PoliciesModule],
  controllers: [AllegationsController, DecisionsController],
  providers: [AllegationsService, AllegationSearchService, DecisionsService, DecisionChecks, AllegationWorkflowStarter, IntakeRecoveryService],
  exports: [AllegationsService, DecisionsService],
})
export class AllegationsModule {}
