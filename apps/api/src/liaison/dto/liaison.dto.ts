import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateIf } from 'class-validator';

/** Weeks, days, hours, minutes, seconds: what `libs/domain/duration` accepts (no months or years). */
const DURATION = /^P(?!$)(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;
const DURATION_MESSAGE = 'must be an ISO-8601 duration of weeks, days, hours, minutes or seconds, such as P2W, P7D or PT12H';

export const CONTACT_CHANNELS = ['meeting', 'phone', 'video_call', 'email', 'other'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];

/** The whole agreement between the caller's authority and one police force (PUT replaces it). */
export class LiaisonAgreementDto {
  @ApiProperty({ description: "the force's election SPOC for this authority: a user of the force with the spoc role" })
  @IsUUID()
  spocId: string;

  @ApiProperty({ description: "the force's elected-official adviser: a user of the force with the feoa role" })
  @IsUUID()
  feoaId: string;

  @ApiProperty({ example: 'P2W', description: 'how regularly the two sides agreed to be in contact (ISO-8601 duration)' })
  @IsString()
  @Matches(DURATION, { message: DURATION_MESSAGE })
  contactEvery: string;

  @ApiPropertyOptional({
    description: "the authority's lead for the liaison, reminded with the force's contacts; absent or null: the Returning Officer",
    nullable: true,
  })
  @IsOptional()
  @IsUUID()
  leadId?: string | null;

  @ApiPropertyOptional({
    example: 'SPOC attends the weekly planning meeting; FEOA briefs candidates after close of nominations.',
    description: 'division of responsibilities, lines of communication',
  })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  notes?: string;
}

export class RecordContactDto {
  @ApiPropertyOptional({ description: 'when the contact took place; default now. Not in the future' })
  @IsOptional()
  @IsISO8601({ strict: true })
  at?: string;

  @ApiProperty({ example: 'Electoral services manager', description: 'who made the contact' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  by: string;

  @ApiProperty({ example: 'SPOC and FEOA', description: 'with whom' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  with: string;

  @ApiProperty({ enum: CONTACT_CHANNELS })
  @IsIn(CONTACT_CHANNELS)
  channel: ContactChannel;

  @ApiProperty({ example: 'Reviewed postal vote opening security and the count plan.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(5000)
  summary: string;

  @ApiPropertyOptional({ description: "required from a force's SPOC or FEOA: the authority the contact was with" })
  @ValidateIf((o: RecordContactDto) => o.authorityId !== undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  authorityId?: string;
}

export class AgreementQuery {
  @ApiPropertyOptional({ description: "required from a force's SPOC or FEOA: which authority's agreement" })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  authorityId?: string;
}
