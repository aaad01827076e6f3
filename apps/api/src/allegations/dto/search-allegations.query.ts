import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { ALLEGATION_STATUSES, OFFENCE_CATEGORIES, URGENCIES, type AllegationStatus, type OffenceCategory, type Urgency } from '@libs/domain';
import { IsInstant } from '../../common/instant';

const INSTANT_HELP = 'a date (YYYY-MM-DD, midnight UTC) or an ISO-8601 date-time with Z or an offset';

export class SearchAllegationsQuery {
  @ApiPropertyOptional({
    description:
      'words to find, in web-search syntax: "a phrase", or, -word. Matched with the english configuration (stemmed, stop words ignored) against the reference and description (weighted highest), place, people involved, reporter name and category. With q, results are ranked by relevance',
    example: 'postal votes care home',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ enum: ALLEGATION_STATUSES })
  @IsOptional()
  @IsIn(ALLEGATION_STATUSES, { message: `must be one of ${ALLEGATION_STATUSES.join(', ')}` })
  status?: AllegationStatus;

  @ApiPropertyOptional({ enum: OFFENCE_CATEGORIES })
  @IsOptional()
  @IsIn(OFFENCE_CATEGORIES, { message: `must be one of ${OFFENCE_CATEGORIES.join(', ')}` })
  category?: OffenceCategory;

  @ApiPropertyOptional({ enum: URGENCIES, description: 'the urgency given at intake' })
  @IsOptional()
  @IsIn(URGENCIES, { message: `must be one of ${URGENCIES.join(', ')}` })
  urgency?: Urgency;

  @ApiPropertyOptional({ description: 'cases ever referred to this police force, including referrals it returned', example: 'northshire-police' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9-]{0,99}$/, { message: 'must be a police force id' })
  forceId?: string;

  @ApiPropertyOptional({ description: `occurredAt on or after this; ${INSTANT_HELP}` })
  @IsOptional()
  @IsInstant()
  occurredFrom?: string;

  @ApiPropertyOptional({ description: `occurredAt before this (exclusive); ${INSTANT_HELP}` })
  @IsOptional()
  @IsInstant()
  occurredTo?: string;

  @ApiPropertyOptional({ description: `logged on or after this; ${INSTANT_HELP}` })
  @IsOptional()
  @IsInstant()
  createdFrom?: string;

  @ApiPropertyOptional({ description: `logged before this (exclusive); ${INSTANT_HELP}` })
  @IsOptional()
  @IsInstant()
  createdTo?: string;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'must be true or false' })
  safetyConcern?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Transform(({ value }) => (/^\d+$/.test(String(value)) ? Number(value) : value))
  @IsInt({ message: 'must be a whole number' })
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor from the previous page of the same search' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}
