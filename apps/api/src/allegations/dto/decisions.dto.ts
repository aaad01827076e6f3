import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateIf } from 'class-validator';
import { POLICE_OUTCOMES, RESOLUTIONS, RETURN_REASONS, type PoliceOutcome, type ReturnReason } from '@libs/domain';

export const TRIAGE_DECISIONS = ['refer', 'resolve', 'request_information', 'duplicate'] as const;
type TriageDecisionName = (typeof TRIAGE_DECISIONS)[number];

/** Fields that belong to one triage decision only; sending them with another is a mistake. */
export const TRIAGE_DECISION_FIELDS: Record<TriageDecisionName, string[]> = {
  refer: ['forceId', 'spocId'],
  resolve: ['resolution'],
  request_information: ['question'],
  duplicate: ['duplicateOf'],
};

const NOTE = { description: 'why; recorded in the case history', example: 'Referred: the account names a person and a polling station.' };

export class TriageDecisionDto {
  @ApiProperty({ enum: TRIAGE_DECISIONS })
  @IsIn(TRIAGE_DECISIONS)
  decision: TriageDecisionName;

  @ApiPropertyOptional({ description: 'refer: the police force (its slug, e.g. northshire-police)' })
  @ValidateIf((o: TriageDecisionDto) => o.decision === 'refer' || o.forceId !== undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  forceId?: string;

  @ApiPropertyOptional({ description: 'refer: a SPOC of that force to address the referral to; otherwise every SPOC of the force' })
  @IsOptional()
  @IsUUID()
  spocId?: string;

  @ApiPropertyOptional({ enum: RESOLUTIONS, description: 'resolve: advice given, or not an offence' })
  @ValidateIf((o: TriageDecisionDto) => o.decision === 'resolve' || o.resolution !== undefined)
  @IsIn(RESOLUTIONS)
  resolution?: (typeof RESOLUTIONS)[number];

  @ApiPropertyOptional({ description: 'request_information: what the reporter is asked' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  question?: string;

  @ApiPropertyOptional({ description: 'duplicate: the id of the case this one repeats' })
  @ValidateIf((o: TriageDecisionDto) => o.decision === 'duplicate' || o.duplicateOf !== undefined)
  @IsUUID()
  duplicateOf?: string;

  @ApiProperty(NOTE)
  @IsString()
  @IsNotEmpty()
  @MaxLength(5000)
  note: string;
}

export class AcceptReferralDto {
  @ApiProperty({ description: 'the police crime reference', example: 'NP/2026/004512' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9/ ._-]{0,63}$/, { message: 'must be 1 to 64 letters, digits, spaces and / . _ -' })
  crimeReference: string;

  @ApiPropertyOptional(NOTE)
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  note?: string;
}

export class ReturnReferralDto {
  @ApiProperty({ enum: RETURN_REASONS })
  @IsIn(RETURN_REASONS)
  reasonCode: ReturnReason;

  @ApiProperty(NOTE)
  @IsString()
  @IsNotEmpty()
  @MaxLength(5000)
  note: string;

  @ApiPropertyOptional({ description: 'the force that should have it, when it is not this one' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  suggestedForceId?: string;
}

export class NoteDto {
  @ApiProperty(NOTE)
  @IsString()
  @IsNotEmpty()
  @MaxLength(5000)
  note: string;
}

export class PoliceOutcomeDto {
  @ApiProperty({ enum: POLICE_OUTCOMES })
  @IsIn(POLICE_OUTCOMES)
  outcome: PoliceOutcome;

  @ApiProperty(NOTE)
  @IsString()
  @IsNotEmpty()
  @MaxLength(5000)
  note: string;
}

/** Closing a case the police accepted: its outcome in the national-return categories. */
export class CloseCaseDto extends PoliceOutcomeDto {}
