import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Equals, IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { CUSTODY_ACTIONS, type CustodyAction } from '@libs/domain';

/** A physical item (a postal vote statement, a ballot paper, a disc) logged against a case. */
export class PhysicalEvidenceDto {
  @ApiProperty({ enum: ['physical'] })
  @Equals('physical')
  kind: 'physical';

  @ApiProperty({ example: 'Postal vote statement, ward CW3, envelope B' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  description: string;

  @ApiProperty({ example: 'NS-SEAL-004512' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  sealNumber: string;

  @ApiProperty({ example: 'Town Hall strongroom, shelf 3' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  location: string;
}

export class CustodyEventDto {
  @ApiProperty({ enum: CUSTODY_ACTIONS })
  @IsIn(CUSTODY_ACTIONS)
  action: CustodyAction;

  @ApiPropertyOptional({ description: 'the current holder, who releases the item' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  from?: string;

  @ApiPropertyOptional({ description: 'who receives the item' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  to?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  location?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  sealNumber?: string;

  @ApiPropertyOptional({ description: 'why: required for a reseal and an examination' })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  note?: string;
}

export class LegalHoldDto {
  @ApiProperty({ description: 'true places the hold, false lifts it' })
  @IsBoolean()
  hold: boolean;

  @ApiProperty({ example: 'Election petition lodged; preserve all evidence' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  reason: string;
}

export class DisposalDto {
  @ApiProperty({ example: 'Retention period ended; reviewed with the legal team' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(5000)
  note: string;
}
