import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsEmail,
  IsIn,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';

export const CONTACT_KINDS = ['candidate', 'agent'] as const;

/**
 * The lawful bases (UK GDPR Art. 6(1), with the Data Protection Act 2018) on which a Returning
 * Officer may disclose a candidate's or agent's contact details to a force's FEOA. Legitimate
 * interests (Art. 6(1)(f)) is left out because a public authority cannot rely on it for its
 * tasks; contract (Art. 6(1)(b)) does not fit a disclosure to the police.
 */
export const LAWFUL_BASES = {
  public_task: 'UK GDPR Art. 6(1)(e) and DPA 2018 s.8: a task carried out in the public interest or in the exercise of official authority',
  legal_obligation: 'UK GDPR Art. 6(1)(c): a legal obligation of the controller',
  vital_interests: "UK GDPR Art. 6(1)(d): to protect someone's life",
  consent: 'UK GDPR Art. 6(1)(a): the candidate or agent consented to their details going to the FEOA',
} as const;
export type LawfulBasis = keyof typeof LAWFUL_BASES;
const BASES = Object.keys(LAWFUL_BASES) as LawfulBasis[];

/** The fields that may be shared; `kind` and `name` always go, the rest only when named or by default. */
export const SHAREABLE_FIELDS = ['kind', 'name', 'electoralArea', 'party', 'email', 'phone', 'address', 'actsFor'] as const;
export type ShareableField = (typeof SHAREABLE_FIELDS)[number];
/** What the FEOA needs to reach a candidate or agent with security guidance, and no more. */
export const DEFAULT_SHARED_FIELDS: ShareableField[] = ['kind', 'name', 'electoralArea', 'email', 'phone', 'actsFor'];

export class CandidateContactDto {
  @ApiProperty({ enum: CONTACT_KINDS })
  @IsIn(CONTACT_KINDS)
  kind: (typeof CONTACT_KINDS)[number];

  @ApiProperty({ example: 'Jo Candidate' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ example: 'Castle Ward', description: 'the ward, division or constituency they stand in' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  electoralArea?: string;

  @ApiPropertyOptional({ description: 'party or description, as on the statement of persons nominated' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  party?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({ example: '+44 7700 900123' })
  @IsOptional()
  @IsString()
  @Matches(/^\+?[0-9 ()-]{6,30}$/, { message: 'must be a telephone number' })
  phone?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  address?: string;

  @ApiPropertyOptional({ description: 'an agent: the candidate they act for' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actsFor?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  electionId?: string;

  @ApiPropertyOptional({ example: '2027-05-06' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date YYYY-MM-DD' })
  pollDate?: string;
}

export class ShareContactDto {
  @ApiProperty({ example: 'northshire-police', description: 'the force whose FEOA receives the details; the authority must have a liaison agreement with it' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  forceId: string;

  @ApiProperty({
    enum: BASES,
    description: Object.entries(LAWFUL_BASES)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; '),
  })
  @IsIn(BASES, { message: `must be one of ${BASES.join(', ')}` })
  lawfulBasis: LawfulBasis;

  @ApiProperty({
    example: 'So the FEOA can contact the candidate directly with updated security guidance after reports of intimidation.',
    description: 'why the details are shared',
  })
  @IsString()
  @MinLength(10, { message: 'must say why the details are shared, in at least 10 characters' })
  @MaxLength(2000)
  purpose: string;

  @ApiPropertyOptional({
    enum: SHAREABLE_FIELDS,
    isArray: true,
    description: `the fields to share; default ${DEFAULT_SHARED_FIELDS.join(', ')}. kind and name always go`,
  })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(SHAREABLE_FIELDS.length)
  @IsIn(SHAREABLE_FIELDS, { each: true })
  fields?: ShareableField[];
}

export class DataSharingQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  contactId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  forceId?: string;
}
