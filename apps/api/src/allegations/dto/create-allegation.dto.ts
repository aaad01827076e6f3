import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  registerDecorator,
  ValidateIf,
  ValidateNested,
  ValidationArguments,
} from 'class-validator';
import { OFFENCE_CATEGORIES, REPORTER_TYPES, URGENCIES, type OffenceCategory, type ReporterType, type Urgency } from '@libs/domain';

/** At least one of the named string members is present and not blank. */
function HasOneOf(members: string[]) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'hasOneOf',
      target: object.constructor,
      propertyName,
      constraints: members,
      options: { message: `must give at least one of ${members.join(', ')}` },
      validator: {
        validate: (value: unknown, args: ValidationArguments) =>
          typeof value === 'object' &&
          value !== null &&
          (args.constraints as string[]).some(
            (m) => typeof (value as Record<string, unknown>)[m] === 'string' && (value as Record<string, string>)[m].trim() !== '',
          ),
      },
    });
}

/** An instant no later than a few minutes from now (clocks drift; the future has not happened). */
function NotInFuture() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'notInFuture',
      target: object.constructor,
      propertyName,
      options: { message: 'must not be in the future' },
      validator: { validate: (value: unknown) => typeof value !== 'string' || Number.isNaN(Date.parse(value)) || Date.parse(value) <= Date.now() + 5 * 60_000 },
    });
}

export class LocationDto {
  @ApiPropertyOptional({ example: 'Castle Ward' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  ward?: string;

  @ApiPropertyOptional({ example: 'CW3' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  pollingDistrict?: string;

  @ApiPropertyOptional({ example: 'St Mary’s Church Hall' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  pollingStation?: string;
}

export class ReporterDto {
  @ApiProperty({ example: 'A. Elector' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiProperty({ example: 'a.elector@example.com' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  contact: string;

  @ApiProperty({ enum: REPORTER_TYPES })
  @IsIn(REPORTER_TYPES, { message: `must be one of ${REPORTER_TYPES.join(', ')}` })
  type: ReporterType;
}

export class PersonInvolvedDto {
  @ApiProperty({ example: 'J. Canvasser' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ example: 'canvasser' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  role?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  details?: string;
}

export class CreateAllegationDto {
  @ApiProperty({ enum: OFFENCE_CATEGORIES })
  @IsIn(OFFENCE_CATEGORIES, { message: `must be one of ${OFFENCE_CATEGORIES.join(', ')}` })
  category: OffenceCategory;

  @ApiPropertyOptional({ description: 'the election this concerns; electionId or pollDate is required', example: 'northshire-local-2027' })
  @ValidateIf((o: CreateAllegationDto) => o.electionId !== undefined || o.pollDate === undefined)
  @IsString({ message: 'or pollDate is required' })
  @IsNotEmpty()
  @MaxLength(100)
  electionId?: string;

  @ApiPropertyOptional({ description: 'YYYY-MM-DD; electionId or pollDate is required', example: '2027-05-06' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date as YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'must be a real calendar date' })
  pollDate?: string;

  @ApiProperty({ type: LocationDto })
  @IsDefined()
  @IsObject()
  @HasOneOf(['ward', 'pollingDistrict', 'pollingStation'])
  @ValidateNested()
  @Type(() => LocationDto)
  location: LocationDto;

  @ApiProperty({ example: '2027-05-06T09:30:00Z' })
  @IsISO8601({ strict: true }, { message: 'must be an ISO-8601 date-time' })
  @NotInFuture()
  occurredAt: string;

  @ApiProperty({ type: ReporterDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ReporterDto)
  reporter: ReporterDto;

  @ApiProperty({ example: 'A canvasser was seen collecting completed postal votes at a care home.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(20_000)
  description: string;

  @ApiProperty({ enum: URGENCIES })
  @IsIn(URGENCIES, { message: `must be one of ${URGENCIES.join(', ')}` })
  urgency: Urgency;

  @ApiProperty()
  @IsBoolean()
  safetyConcern: boolean;

  @ApiPropertyOptional({ type: [PersonInvolvedDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => PersonInvolvedDto)
  peopleInvolved?: PersonInvolvedDto[];
}
