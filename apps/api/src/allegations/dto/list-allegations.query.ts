import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ALLEGATION_STATUSES, OFFENCE_CATEGORIES, type AllegationStatus, type OffenceCategory } from '@libs/domain';

export class ListAllegationsQuery {
  @ApiPropertyOptional({ enum: ALLEGATION_STATUSES })
  @IsOptional()
  @IsIn(ALLEGATION_STATUSES, { message: `must be one of ${ALLEGATION_STATUSES.join(', ')}` })
  status?: AllegationStatus;

  @ApiPropertyOptional({ enum: OFFENCE_CATEGORIES })
  @IsOptional()
  @IsIn(OFFENCE_CATEGORIES, { message: `must be one of ${OFFENCE_CATEGORIES.join(', ')}` })
  category?: OffenceCategory;

  @ApiPropertyOptional({ description: 'words to find in the reference, description or place' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Transform(({ value }) => (/^\d+$/.test(String(value)) ? Number(value) : value))
  @IsInt({ message: 'must be a whole number' })
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor from the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}
