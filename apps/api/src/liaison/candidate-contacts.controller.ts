import { Body, Controller, Get, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiStandardErrors } from '../common/api-docs';
import type { Principal } from '@libs/auth/principal';
import { CurrentUser, Roles } from '../auth/decorators';
import { CandidateContactsService } from './candidate-contacts.service';
import { CandidateContactDto, DataSharingQuery, ShareContactDto } from './dto/candidate-contact.dto';

const KEEPERS = ['returning_officer', 'staff'] as const;

@ApiTags('candidate contacts')
@ApiBearerAuth()
@ApiStandardErrors()
@Controller()
export class CandidateContactsController {
  constructor(@Inject(CandidateContactsService) private readonly contacts: CandidateContactsService) {}

  /** Stores a candidate's or agent's contact details for the authority. */
  @Post('candidate-contacts')
  @ApiOperation({ summary: "Store a candidate's or agent's contact details" })
  @Roles(...KEEPERS)
  create(@CurrentUser() principal: Principal, @Body() dto: CandidateContactDto) {
    return this.contacts.create(principal, dto);
  }

  @Get('candidate-contacts')
  @ApiOperation({ summary: "List the authority's candidate contacts" })
  @Roles(...KEEPERS)
  list(@CurrentUser() principal: Principal) {
    return this.contacts.list(principal);
  }

  /** For a force's FEOA only: the contacts shared with the force, as shared. Each read is logged. */
  @Get('candidate-contacts/shared')
  @ApiOperation({ summary: "List the contacts shared with the caller's force (FEOA); each read is logged" })
  @Roles('feoa')
  shared(@CurrentUser() principal: Principal) {
    return this.contacts.shared(principal);
  }

  /** The contact with its data-sharing records. */
  @Get('candidate-contacts/:id')
  @ApiOperation({ summary: 'Read one contact with its data-sharing records' })
  @Roles(...KEEPERS)
  get(@CurrentUser() principal: Principal, @Param('id') id: string) {
    return this.contacts.get(principal, id);
  }

  /**
   * Shares the contact with the force's FEOA, on a lawful basis and for a stated purpose, and
   * writes the data-sharing record. Without both: 422 and nothing is shared.
   */
  @Post('candidate-contacts/:id/share')
  @ApiOperation({ summary: "Share a contact with the force's FEOA, on a lawful basis and for a stated purpose" })
  @Roles(...KEEPERS)
  share(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: ShareContactDto) {
    return this.contacts.share(principal, id, dto);
  }

  /** The authority's data-sharing records (who shared what with whom, when, why, on which basis) and their reads. */
  @Get('data-sharing')
  @ApiOperation({ summary: "List the authority's data-sharing records and their reads" })
  @Roles('returning_officer', 'legal')
  records(@CurrentUser() principal: Principal, @Query() query: DataSharingQuery) {
    return this.contacts.records(principal, query);
  }
}
