import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@libs/auth/principal';
import { CurrentUser, Roles } from '../auth/decorators';
import { ApiErrors, ApiStandardErrors } from '../common/api-docs';
import { CreateAllegationDto } from '../allegations/dto/create-allegation.dto';
import {
  BallotCustodyDto,
  CompleteReviewActionDto,
  CreateBallotItemDto,
  CreateSecurityReviewDto,
  DismissDiscrepancyDto,
  ListBallotItemsQuery,
  ListDiscrepanciesQuery,
} from './dto/ballot.dto';
import { BallotSecurityService } from './ballot-security.service';

const ITEM_READERS = ['staff', 'triage', 'returning_officer', 'legal', 'admin'] as const;
const HANDLERS = ['staff', 'returning_officer'] as const;

@ApiTags('ballot security')
@ApiBearerAuth()
@ApiStandardErrors()
@Controller()
export class BallotSecurityController {
  constructor(@Inject(BallotSecurityService) private readonly ballots: BallotSecurityService) {}

  @Post('ballot-items')
  @ApiErrors([409, 'the authority already has an item of this kind with this label'])
  @Roles(...HANDLERS)
  @ApiOperation({ summary: 'Record a batch of ballot papers or a ballot box as received from the printer or supplier' })
  @ApiCreatedResponse({ description: 'the item' })
  createItem(@CurrentUser() principal: Principal, @Body() dto: CreateBallotItemDto) {
    return this.ballots.createItem(principal, dto);
  }

  @Get('ballot-items')
  @Roles(...ITEM_READERS)
  @ApiOperation({ summary: "The authority's ballot paper batches and ballot boxes" })
  listItems(@CurrentUser() principal: Principal, @Query() query: ListBallotItemsQuery) {
    return this.ballots.listItems(principal, query);
  }

  @Get('ballot-items/:id')
  @Roles(...ITEM_READERS)
  @ApiOperation({ summary: 'An item with its custody log and the discrepancies found on it' })
  getItem(@CurrentUser() principal: Principal, @Param('id') id: string) {
    return this.ballots.getItem(principal, id);
  }

  @Post('ballot-items/:id/custody')
  @ApiErrors([409, "the item's state does not allow the step (details name the field)"])
  @Roles(...HANDLERS)
  @ApiOperation({ summary: 'Record a custody step: stored (with who has access), sealed, moved, opened at the count, returned' })
  @ApiCreatedResponse({ description: '{ item, step, discrepancies }: a seal or count that does not match is raised to triage' })
  recordStep(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: BallotCustodyDto) {
    return this.ballots.recordStep(principal, id, dto);
  }

  @Get('ballot-discrepancies')
  @Roles('triage', 'returning_officer', 'legal')
  @ApiOperation({ summary: 'Seals and counts that did not match, newest first' })
  listDiscrepancies(@CurrentUser() principal: Principal, @Query() query: ListDiscrepanciesQuery) {
    return this.ballots.listDiscrepancies(principal, query.status);
  }

  @Post('ballot-discrepancies/:id/dismiss')
  @ApiErrors([409, 'the discrepancy is already decided'])
  @HttpCode(200)
  @Roles('triage')
  @ApiOperation({ summary: 'Dismiss a discrepancy with the reason' })
  dismiss(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: DismissDiscrepancyDto) {
    return this.ballots.dismiss(principal, id, dto.reason);
  }

  @Post('ballot-discrepancies/:id/allegation')
  @ApiErrors([409, 'the discrepancy is already decided'])
  @Roles('triage')
  @ApiOperation({ summary: 'Log an allegation (the body of POST /allegations) from the discrepancy; a retry gives the same case' })
  @ApiCreatedResponse({ description: '{ discrepancy, allegation }' })
  raiseAllegation(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: CreateAllegationDto) {
    return this.ballots.raiseAllegation(principal, id, dto);
  }

  @Post('ballot-security-reviews')
  @Roles('returning_officer')
  @ApiOperation({ summary: 'Record a review of the security arrangements held with the police, with its actions' })
  @ApiCreatedResponse({ description: 'the review' })
  createReview(@CurrentUser() principal: Principal, @Body() dto: CreateSecurityReviewDto) {
    return this.ballots.createReview(principal, dto);
  }

  @Post('ballot-security-reviews/:id/actions/:actionId/done')
  @HttpCode(200)
  @Roles('returning_officer')
  @ApiOperation({ summary: "Mark one of a security review's actions done (by the caller, now)" })
  @ApiOkResponse({ description: '{ reviewId, action } with the action done: doneBy, doneAt, doneNote' })
  @ApiErrors([409, 'the action is already done'])
  completeAction(@CurrentUser() principal: Principal, @Param('id') id: string, @Param('actionId') actionId: string, @Body() dto: CompleteReviewActionDto) {
    return this.ballots.completeAction(principal, id, actionId, dto.note);
  }

  @Get('ballot-security-reviews')
  @Roles('staff', 'returning_officer', 'plan_owner', 'legal', 'admin', 'spoc', 'feoa')
  @ApiOperation({ summary: "The authority's security reviews, or a force's with the authorities it reviewed with" })
  @ApiOkResponse({ description: '[review]' })
  listReviews(@CurrentUser() principal: Principal) {
    return this.ballots.listReviews(principal);
  }
}
