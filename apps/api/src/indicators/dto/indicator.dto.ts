import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsNotEmpty, IsNumber, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { INDICATOR_SUBJECT_TYPES, MAX_NOTE_LENGTH, MAX_SUBJECT_LENGTH, type IndicatorSubjectType } from '@libs/domain';

export class CreateIndicatorDto {
  @ApiProperty({ example: 'postal_votes_per_address', description: 'how CSV rows name the indicator: lower case, digits and underscores' })
  @IsString()
  @Matches(/^[a-z][a-z0-9_]{1,62}$/, { message: 'must be 2 to 63 lower-case letters, digits or underscores, starting with a letter' })
  key: string;

  @ApiProperty({ example: 'Postal vote applications per address' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiProperty({ enum: INDICATOR_SUBJECT_TYPES, description: 'what each observation is about' })
  @IsIn(INDICATOR_SUBJECT_TYPES)
  subjectType: IndicatorSubjectType;

  @ApiProperty({ example: 6, description: 'an observation whose value reaches this raises an alert for triage' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1e12)
  threshold: number;
}

export class UpdateIndicatorDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiPropertyOptional({ description: 'applies to observations recorded from now on' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1e12)
  threshold?: number;

  @ApiPropertyOptional({ enum: ['active', 'retired'], description: 'a retired indicator takes no new observations' })
  @IsOptional()
  @IsIn(['active', 'retired'])
  status?: 'active' | 'retired';
}

export class ObservationDto {
  @ApiProperty({ example: '12 High Street, Northtown NT1 2AB' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_SUBJECT_LENGTH)
  subject: string;

  @ApiProperty({ example: 9 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1e12)
  value: number;

  @ApiProperty({ example: '2026-11-20T09:00:00Z' })
  @IsISO8601({ strict: true })
  observedAt: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(MAX_NOTE_LENGTH)
  note?: string;
}

export class ListAlertsQuery {
  @ApiPropertyOptional({ enum: ['open', 'linked', 'dismissed'] })
  @IsOptional()
  @IsIn(['open', 'linked', 'dismissed'])
  status?: 'open' | 'linked' | 'dismissed';

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  indicatorId?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Transform(({ value }) => (value === undefined ? value : Number(value)))
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class ListObservationsQuery {
  @ApiPropertyOptional({ description: 'observations of this subject only (case and spacing ignored)' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_SUBJECT_LENGTH)
  subject?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Transform(({ value }) => (value === undefined ? value : Number(value)))
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class DismissAlertDto {
  @ApiProperty({ example: 'Registered care home with 40 residents; expected' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(5000)
  reason: string;
}

export class LinkAlertDto {
  @ApiProperty({ description: 'an allegation of the same authority' })
  @IsUUID()
  allegationId: string;

  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(5000)
  note: string;
}
