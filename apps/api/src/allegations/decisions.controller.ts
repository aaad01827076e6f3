import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiStandardErrors } from '../common/api-docs';
import type { Principal, Role } from '@libs/auth/principal';
import { fieldProblem, problem } from '@libs/domain';
import {
  acceptReferralUpdate,
  applyForExtensionUpdate,
  closeUpdate,
  informationReceivedUpdate,
  investigationUpdate,
  recordPoliceOutcomeUpdate,
  returnReferralUpdate,
  triageUpdate,
  withdrawUpdate,
  type TriageDecision,
} from '@workflows/allegation/messages';
import { CurrentUser, Roles } from '../auth/decorators';
import { unprocessable } from '../common/api-error';
import { DecisionChecks } from './decision-checks.service';
import { DecisionsService } from './decisions.service';
import { AcceptReferralDto, CloseCaseDto, NoteDto, PoliceOutcomeDto, ReturnReferralDto, TRIAGE_DECISION_FIELDS, TriageDecisionDto } from './dto/decisions.dto';

const REFUSED =
  'the current state does not allow this decision: `message` says why, `state` is the case as it now stands; the refusal is recorded in the case history';

/** Human decisions on a case. Each one asks the case's workflow, which alone moves its status. */
@ApiTags('allegations')
@ApiBearerAuth()
@ApiErrors([409, REFUSED])
@ApiStandardErrors()
@Controller('allegations/:id')
export class DecisionsController {
  constructor(
    @Inject(DecisionsService) private readonly decisions: DecisionsService,
    @Inject(DecisionChecks) private readonly checks: DecisionChecks,
  ) {}

  /** refer to a force, resolve without referral, ask the reporter for information, or mark as a duplicate */
  @Post('triage')
  @ApiOperation({ summary: 'Triage a case: refer to a force, resolve, ask for information, or mark as a duplicate' })
  @HttpCode(200)
  @Roles('triage')
  @ApiOkResponse({ description: 'the case after the decision' })
  async triage(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: TriageDecisionDto) {
    const misplaced = Object.entries(TRIAGE_DECISION_FIELDS)
      .filter(([decision]) => decision !== dto.decision)
      .flatMap(([, fields]) => fields)
      .filter((field) => (dto as unknown as Record<string, unknown>)[field] !== undefined);
    if (misplaced.length > 0)
      throw unprocessable(
        problem('triage.fields_misplaced', { fields: misplaced.join(', '), decision: dto.decision }),
        misplaced.map((field) => fieldProblem(field, 'triage.field_misplaced', { decision: dto.decision })),
      );
    const payload = { ...dto } as TriageDecision;
    return this.decisions.decide(principal, id, { name: `triage.${dto.decision}`, update: triageUpdate, payload, readers: ['triage'] }, async (allegation) => {
      if (dto.decision === 'refer') await this.checkReferral(dto.forceId!, dto.spocId);
      if (dto.decision === 'duplicate') {
        if (!(await this.checks.isCaseOf(allegation.authorityId, dto.duplicateOf!)))
          throw unprocessable(problem('triage.duplicate_not_found'), [fieldProblem('duplicateOf', 'field.no_such_case')]);
      }
    });
  }

  @Post('referral/accept')
  @ApiOperation({ summary: 'Accept a referral for the force (SPOC)' })
  @HttpCode(200)
  @Roles('spoc')
  accept(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: AcceptReferralDto) {
    return this.decisions.decide(principal, id, { name: 'referral.accept', update: acceptReferralUpdate, payload: { ...dto }, readers: ['spoc'] });
  }

  /** the case goes back to triage, optionally naming the force that should have it */
  @Post('referral/return')
  @ApiOperation({ summary: 'Return a referral to triage, optionally naming the right force' })
  @HttpCode(200)
  @Roles('spoc')
  async return(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: ReturnReferralDto) {
    return this.decisions.decide(principal, id, { name: 'referral.return', update: returnReferralUpdate, payload: { ...dto }, readers: ['spoc'] }, async () => {
      if (dto.suggestedForceId) await this.checkForce(dto.suggestedForceId, 'suggestedForceId');
    });
  }

  /** a progress note from the force investigating the case */
  @Post('referral/updates')
  @ApiOperation({ summary: 'Add a progress note from the investigating force' })
  @HttpCode(200)
  @Roles('spoc')
  update(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.decisions.decide(principal, id, { name: 'investigation.update', update: investigationUpdate, payload: { ...dto }, readers: ['spoc'] });
  }

  /** the police outcome, in the national-return categories */
  @Post('referral/outcome')
  @ApiOperation({ summary: 'Record the police outcome, in the national-return categories' })
  @HttpCode(200)
  @Roles('spoc')
  outcome(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: PoliceOutcomeDto) {
    return this.decisions.decide(principal, id, { name: 'investigation.outcome', update: recordPoliceOutcomeUpdate, payload: { ...dto }, readers: ['spoc'] });
  }

  /** the reporter answered a request for information: the case goes back to triage */
  @Post('information')
  @ApiOperation({ summary: "Record the reporter's answer to a request for information" })
  @HttpCode(200)
  @Roles('staff', 'triage')
  information(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.decisions.decide(principal, id, {
      name: 'information.received',
      update: informationReceivedUpdate,
      payload: { ...dto },
      readers: ['staff', 'triage'],
    });
  }

  @Post('close')
  @ApiOperation({ summary: 'Close a case with its outcome' })
  @HttpCode(200)
  @Roles('triage', 'returning_officer')
  close(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: CloseCaseDto) {
    const decision = { name: 'case.close', update: closeUpdate, payload: { ...dto }, readers: ['triage', 'returning_officer'] as Role[] };
    return this.decisions.decide(principal, id, decision, async (allegation) => {
      // Every evidence item must be accounted for: none may be in transit to the police.
      const inTransit = await this.checks.packagesInTransit(allegation.id);
      if (inTransit.length > 0) {
        throw await this.decisions.refused(
          principal,
          allegation,
          decision,
          'evidence',
          problem('close.package_in_transit', { packageId: inTransit[0].id, status: inTransit[0].status }),
        );
      }
    });
  }

  @Post('withdraw')
  @ApiOperation({ summary: "Withdraw a case at the reporter's request" })
  @HttpCode(200)
  @Roles('staff', 'triage')
  withdraw(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.decisions.decide(principal, id, { name: 'case.withdraw', update: withdrawUpdate, payload: { ...dto }, readers: ['staff', 'triage'] });
  }

  /** records that a court extension of the s.176 time limit was applied for (only within the first year) */
  @Post('statutory-extension')
  @ApiOperation({ summary: 'Record an application for a court extension of the s.176 time limit' })
  @HttpCode(200)
  @Roles('triage', 'returning_officer')
  extension(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.decisions.decide(principal, id, {
      name: 'statutory.extension',
      update: applyForExtensionUpdate,
      payload: { ...dto },
      readers: ['triage', 'returning_officer'],
    });
  }

  private async checkForce(forceId: string, field: string): Promise<void> {
    if (!(await this.checks.forceExists(forceId)))
      throw unprocessable(problem('triage.force_not_found', { field, forceId }), [fieldProblem(field, 'field.no_such_force')]);
  }

  private async checkReferral(forceId: string, spocId?: string): Promise<void> {
    await this.checkForce(forceId, 'forceId');
    if (!spocId) return;
    if (!(await this.checks.isSpocOf(spocId, forceId)))
      throw unprocessable(problem('triage.spoc_not_of_force'), [fieldProblem('spocId', 'liaison.not_spoc_of', { forceId })]);
  }
}
