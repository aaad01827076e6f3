import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiStandardErrors } from '../common/api-docs';
import type { Principal } from '@libs/auth/principal';
import { badRequest } from '../common/api-error';
import { CurrentUser, Roles } from '../auth/decorators';
import { AllegationsService } from './allegations.service';
import { CreateAllegationDto } from './dto/create-allegation.dto';
import { ListAllegationsQuery } from './dto/list-allegations.query';
import { SearchAllegationsQuery } from './dto/search-allegations.query';
import { AllegationSearchService } from './search.service';

@ApiTags('allegations')
@ApiBearerAuth()
@ApiStandardErrors()
@Controller('allegations')
export class AllegationsController {
  constructor(
    @Inject(AllegationsService) private readonly allegations: AllegationsService,
    @Inject(AllegationSearchService) private readonly searcher: AllegationSearchService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Log an allegation (idempotent with an Idempotency-Key)' })
  @ApiErrors([409, 'this Idempotency-Key was already used with a different request body'])
  @HttpCode(201)
  @Roles('staff')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'retrying with the same key and body returns the same case and creates nothing' })
  @ApiCreatedResponse({ description: '{ id, reference, status: "triage", triageDueAt }' })
  create(@CurrentUser() principal: Principal, @Body() dto: CreateAllegationDto, @Headers('idempotency-key') idempotencyKey?: string) {
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(idempotencyKey)) {
      throw badRequest('Idempotency-Key must be 1 to 200 visible ASCII characters', [{ field: 'Idempotency-Key', problem: 'malformed' }]);
    }
    return this.allegations.create(principal, dto, idempotencyKey);
  }

  /** The caller's authority's allegations, newest first, in cursor pages. */
  @Get()
  @ApiOperation({ summary: "List the caller's authority's allegations, newest first, in cursor pages" })
  @Roles('staff', 'triage', 'returning_officer', 'legal')
  list(@CurrentUser() principal: Principal, @Query() query: ListAllegationsQuery) {
    return this.allegations.list(principal, query);
  }

  /** Declared before `:id`, which would otherwise take "search" for a case id. */
  @Get('search')
  @Roles('staff', 'triage', 'returning_officer', 'legal')
  @ApiOperation({ summary: "Full-text search over the caller's authority's allegations, with filters; by relevance when q is given, newest first otherwise" })
  @ApiOkResponse({ description: '{ items: [case fields and rank (null without q)], nextCursor }' })
  search(@CurrentUser() principal: Principal, @Query() query: SearchAllegationsQuery) {
    return this.searcher.search(principal, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read one case, with its status and deadlines' })
  @Roles('staff', 'triage', 'returning_officer', 'legal', 'spoc', 'feoa')
  get(@CurrentUser() principal: Principal, @Param('id') id: string) {
    return this.allegations.get(principal, id);
  }
}
