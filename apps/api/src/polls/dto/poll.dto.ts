import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { EVENT_KINDS, type EventKind } from '@libs/domain';

export class CreatePollDto {
  @ApiProperty({ example: 'local.northshire.2027-05-06', description: 'the identifier allegations and risks carry as electionId; unique in the authority' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @Matches(/^[a-z0-9][a-z0-9.-]*$/, { message: 'must be lower-case letters, digits, dots and hyphens, such as local.northshire.2027-05-06' })
  electionId: string;

  @ApiProperty({ example: 'Northshire County Council elections' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  title: string;

  @ApiProperty({ example: '2027-05-06' })
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date YYYY-MM-DD' })
  pollingDay: string;
}

export class SafetyPlanDto {
  @ApiProperty({ example: 'Count at Northshire Leisure Centre: accredited entry only, boxes escorted from each station.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  summary: string;

  @ApiProperty({ type: [String], example: ['Accreditation checked at the single public entrance', 'Ballot boxes escorted by two staff and logged on arrival'] })
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(1000, { each: true })
  measures: string[];

  @ApiPropertyOptional({ type: String, example: 'Duty Returning Officer 01234 567890', nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  emergencyContact?: string | null;
}

export class CreateEventDto {
  @ApiProperty({ enum: EVENT_KINDS })
  @IsIn(EVENT_KINDS, { message: `must be one of ${EVENT_KINDS.join(', ')}` })
  kind: EventKind;

  @ApiProperty({ example: 'Count, Northshire Leisure Centre' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  title: string;

  @ApiProperty({ example: '2027-05-06T22:00:00Z' })
  @IsISO8601({ strict: true })
  startsAt: string;

  @ApiPropertyOptional({ type: String, example: '2027-05-07T06:00:00Z', nullable: true })
  @IsOptional()
  @IsISO8601({ strict: true })
  endsAt?: string | null;

  @ApiPropertyOptional({ example: 'Northshire Leisure Centre, Castle Road' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  venue?: string;

  @ApiPropertyOptional({ type: SafetyPlanDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => SafetyPlanDto)
  plan?: SafetyPlanDto | null;

  @ApiPropertyOptional({ description: 'a SPOC or FEOA of the police force the authority liaises with for this event; null clears it', nullable: true })
  @ValidateIf((_o, v) => v !== null && v !== undefined)
  @IsUUID()
  policeContactId?: string | null;
}

export class UpdateEventDto extends PartialType(CreateEventDto) {}

export class LinkRiskDto {
  @ApiProperty({ description: "a risk in the authority's register" })
  @IsUUID()
  riskId: string;
}
