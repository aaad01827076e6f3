import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsInstant } from '../../common/instant';

const INSTANT_HELP = 'a date (YYYY-MM-DD, midnight UTC) or an ISO-8601 date-time with Z or an offset';

/** The period is on when each allegation was logged (createdAt), as the returns count cases reported in a period. */
export class ReturnsQuery {
  @ApiPropertyOptional({ description: `cases logged on or after this; ${INSTANT_HELP}` })
  @IsOptional()
  @IsInstant()
  from?: string;

  @ApiPropertyOptional({ description: `cases logged before this (exclusive); ${INSTANT_HELP}` })
  @IsOptional()
  @IsInstant()
  to?: string;

  @ApiPropertyOptional({ description: 'only cases logged against this election', example: 'northshire-local-2027' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  electionId?: string;

  @ApiPropertyOptional({ description: 'only cases about the poll on this day (YYYY-MM-DD)', example: '2027-05-06' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date as YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'must be a real calendar date' })
  pollDate?: string;
}
