import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@libs/auth/principal';
import { CurrentUser, Roles } from '../auth/decorators';
import { ApiErrors, ApiStandardErrors } from '../common/api-docs';
import { CreateEventDto, CreatePollDto, LinkRiskDto, UpdateEventDto } from './dto/poll.dto';
import { PollsService } from './polls.service';

/** Everyone at the authority reads its polls and event plans; the police contact's force reads the events it is named on. */
const READERS = ['staff', 'triage', 'returning_officer', 'plan_owner', 'legal', 'admin', 'spoc', 'feoa'] as const;
/** The Returning Officer and the plan owners write the plans. */
const PLANNERS = ['returning_officer', 'plan_owner'] as const;

@ApiTags('electoral events')
@ApiBearerAuth()
@ApiStandardErrors()
@Controller()
export class PollsController {
  constructor(@Inject(PollsService) private readonly polls: PollsService) {}

  @Post('polls')
  @ApiErrors([409, 'the authority already has a poll with this electionId'])
  @Roles('returning_officer', 'admin')
  @ApiOperation({ summary: 'Add a poll: its electionId (which allegations and risks name) and its polling day' })
  @ApiCreatedResponse({ description: '{ id, authorityId, electionId, title, pollingDay }' })
  createPoll(@CurrentUser() principal: Principal, @Body() dto: CreatePollDto) {
    return this.polls.createPoll(principal, dto);
  }

  @Get('polls')
  @Roles(...READERS)
  @ApiOperation({ summary: "The caller's polls, latest polling day first" })
  listPolls(@CurrentUser() principal: Principal) {
    return this.polls.listPolls(principal);
  }

  @Get('police-contacts')
  @Roles('staff', 'triage', 'returning_officer', 'plan_owner', 'legal', 'admin')
  @ApiOperation({ summary: "Who may be named as an event's police contact: the SPOCs and FEOAs of the forces the caller's authority works with" })
  @ApiOkResponse({ description: '[{ id, name, forceId, roles }]' })
  policeContacts(@CurrentUser() principal: Principal) {
    return this.polls.policeContacts(principal);
  }

  @Get('polls/:id')
  @Roles(...READERS)
  @ApiOperation({ summary: 'A poll with its events in time order and how many allegations and open risks name it' })
  getPoll(@CurrentUser() principal: Principal, @Param('id') id: string) {
    return this.polls.getPoll(principal, id);
  }

  @Post('polls/:id/events')
  @Roles(...PLANNERS)
  @ApiOperation({ summary: 'Add an event (polling day, postal vote opening, verification, count) with its safety and security plan' })
  @ApiCreatedResponse({ description: 'the event, with planComplete and planGaps' })
  createEvent(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: CreateEventDto) {
    return this.polls.createEvent(principal, id, dto);
  }

  @Get('electoral-events/:id')
  @Roles(...READERS)
  @ApiOperation({ summary: 'An event: times, venue, plan, police contact, linked risk ids, and what the plan still lacks (planGaps)' })
  getEvent(@CurrentUser() principal: Principal, @Param('id') id: string) {
    return this.polls.getEvent(principal, id);
  }

  @Patch('electoral-events/:id')
  @Roles(...PLANNERS)
  @ApiOperation({ summary: "Change an event's times, venue, plan (replaced whole) or police contact" })
  updateEvent(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: UpdateEventDto) {
    return this.polls.updateEvent(principal, id, dto);
  }

  @Get('electoral-events/:id/risks')
  @Roles('staff', 'triage', 'returning_officer', 'plan_owner', 'legal', 'admin')
  @ApiOperation({ summary: 'The risks from the register linked to the event, with their scores' })
  eventRisks(@CurrentUser() principal: Principal, @Param('id') id: string) {
    return this.polls.eventRisks(principal, id);
  }

  @Post('electoral-events/:id/risks')
  @ApiErrors([409, 'a closed risk cannot be linked to an event'])
  @HttpCode(200)
  @Roles(...PLANNERS)
  @ApiOperation({ summary: 'Link a risk from the register to the event (idempotent)' })
  @ApiOkResponse({ description: 'the event' })
  linkRisk(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: LinkRiskDto) {
    return this.polls.linkRisk(principal, id, dto.riskId);
  }

  @Delete('electoral-events/:id/risks/:riskId')
  @Roles(...PLANNERS)
  @ApiOperation({ summary: 'Unlink a risk from the event (idempotent: a risk that is not linked changes nothing)' })
  @ApiOkResponse({ description: 'the event' })
  unlinkRisk(@CurrentUser() principal: Principal, @Param('id') id: string, @Param('riskId') riskId: string) {
    return this.polls.unlinkRisk(principal, id, riskId);
  }
}
