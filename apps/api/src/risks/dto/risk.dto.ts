import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { MITIGATION_STATUSES, RISK_CATEGORIES, type MitigationStatus, type RiskCategory } from '@libs/domain';

const DURATION = /^P(?!$)(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

export class MitigationDto {
  @ApiPropertyOptional({ description: 'kept when a review updates the mitigation; new ones get an id' })
  @IsOptional()
  @IsUUID()
  id?: string;

  @ApiProperty({ example: 'Visit every HMO with more than 10 postal vote applications' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  description: string;

  @ApiProperty()
  @IsUUID()
  ownerId: string;

  @ApiProperty({ enum: MITIGATION_STATUSES })
  @IsIn(MITIGATION_STATUSES)
  status: MitigationStatus;
}

export class CreateRiskDto {
  @ApiProperty({ example: 'Postal vote harvesting in houses of multiple occupation' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  title: string;

  @ApiProperty({ enum: RISK_CATEGORIES })
  @IsIn(RISK_CATEGORIES)
  category: RiskCategory;

  @ApiProperty({ minimum: 1, maximum: 5 })
  @IsInt()
  @Min(1)
  @Max(5)
  likelihood: number;

  @ApiProperty({ minimum: 1, maximum: 5 })
  @IsInt()
  @Min(1)
  @Max(5)
  impact: number;

  @ApiProperty({ description: 'a user of the authority who reviews this risk' })
  @IsUUID()
  ownerId: string;

  @ApiProperty({ type: [MitigationDto] })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => MitigationDto)
  mitigations: MitigationDto[];

  @ApiProperty({ example: 'P7D', description: 'ISO-8601 duration between reviews' })
  @IsString()
  @Matches(DURATION, { message: 'must be an ISO-8601 duration such as P7D or PT12H' })
  reviewEvery: string;

  @ApiPropertyOptional({ example: '2027-05-06' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date YYYY-MM-DD' })
  pollDate?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  electionId?: string;
}

export class UpdateRiskDto extends PartialType(CreateRiskDto) {}

export class RecordReviewDto {
  @ApiProperty({ example: 'Visits done; two HMOs flagged to the police' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(5000)
  notes: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 5 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(5)
  likelihood?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 5 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(5)
  impact?: number;

  @ApiPropertyOptional({ type: [MitigationDto], description: 'the mitigations after the review, replacing the list' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => MitigationDto)
  mitigations?: MitigationDto[];
}

export class ListRisksQuery {
  @ApiPropertyOptional({ description: 'only risks whose review is overdue' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  overdue?: boolean;

  @ApiPropertyOptional({ enum: ['open', 'closed'] })
  @IsOptional()
  @IsIn(['open', 'closed'])
  status?: 'open' | 'closed';

  @ApiPropertyOptional({ enum: RISK_CATEGORIES })
  @IsOptional()
  @IsIn(RISK_CATEGORIES)
  category?: RiskCategory;
}
