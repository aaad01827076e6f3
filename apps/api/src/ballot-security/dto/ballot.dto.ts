import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { BALLOT_ACTIONS, BALLOT_ITEM_KINDS, type BallotAction, type BallotItemKind } from '@libs/domain';

export class CreateBallotItemDto {
  @ApiProperty({ enum: BALLOT_ITEM_KINDS })
  @IsIn(BALLOT_ITEM_KINDS, { message: `must be one of ${BALLOT_ITEM_KINDS.join(', ')}` })
  kind: BallotItemKind;

  @ApiProperty({ example: 'Castle Ward papers, batch 3', description: 'unique among the authority’s items of this kind' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  label: string;

  @ApiPropertyOptional({ description: 'the poll (from POST /polls) the item is for' })
  @IsOptional()
  @IsUUID()
  pollId?: string;

  @ApiPropertyOptional({ example: 500, description: 'papers in the batch, or expected in the box at the count' })
  @IsOptional()
  @IsInt()
  @Min(0)
  quantity?: number;

  @ApiPropertyOptional({ example: 'CW-001001' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  serialFrom?: string;

  @ApiPropertyOptional({ example: 'CW-001500' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  serialTo?: string;

  @ApiProperty({ example: 'Acme Election Print Ltd', description: 'who delivered it: the printer, or the box supplier' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  receivedFrom: string;

  @ApiProperty({ example: 'Town Hall strong room' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  location: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class BallotCustodyDto {
  @ApiProperty({ enum: BALLOT_ACTIONS })
  @IsIn(BALLOT_ACTIONS, { message: `must be one of ${BALLOT_ACTIONS.join(', ')}` })
  action: BallotAction;

  @ApiPropertyOptional({ example: 'Count hall, Northshire Leisure Centre' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  location?: string;

  @ApiPropertyOptional({ example: 'S-100234', description: 'the seal applied (action sealed)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  sealNumber?: string;

  @ApiPropertyOptional({ example: 'S-100234', description: 'the seal number read off the item (moved, opened)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  sealNumberObserved?: string;

  @ApiPropertyOptional({ example: 500, description: 'the papers counted at this step' })
  @IsOptional()
  @IsInt()
  @Min(0)
  countObserved?: number;

  @ApiPropertyOptional({ type: [String], description: 'who has access to the store (stored)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  accessBy?: string[];

  @ApiPropertyOptional({ description: 'when it happened; now when left out' })
  @IsOptional()
  @IsISO8601({ strict: true })
  at?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class DismissDiscrepancyDto {
  @ApiProperty({ example: 'Seal number misread at the station; the photograph shows S-100234' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  reason: string;
}

export class CompleteReviewActionDto {
  @ApiPropertyOptional({ example: 'Key log started at the depot on 3 March' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class ReviewActionDto {
  @ApiProperty({ example: 'Police to patrol the depot on the nights before the poll' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  description: string;

  @ApiProperty({ example: 'northshire-police', description: 'who carries it out: a user id, or a force or team named in words' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  owner: string;

  @ApiProperty({ example: '2027-04-30' })
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date YYYY-MM-DD' })
  dueBy: string;
}

export class CreateSecurityReviewDto {
  @ApiProperty({ example: 'northshire-police', description: 'the police force the review was held with' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  forceId: string;

  @ApiPropertyOptional({ description: 'the poll it was for' })
  @IsOptional()
  @IsUUID()
  pollId?: string;

  @ApiProperty({ example: '2027-04-01' })
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date YYYY-MM-DD' })
  heldOn: string;

  @ApiProperty({ type: [String], example: ['Returning Officer', 'PC A. Officer, election SPOC'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(200, { each: true })
  attendees: string[];

  @ApiProperty({ example: 'Depot cage is shared with the recycling team; key log not kept.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(8000)
  findings: string;

  @ApiProperty({ type: [ReviewActionDto] })
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => ReviewActionDto)
  actions: ReviewActionDto[];
}

export class ListBallotItemsQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  pollId?: string;

  @ApiPropertyOptional({ enum: BALLOT_ITEM_KINDS })
  @IsOptional()
  @IsIn(BALLOT_ITEM_KINDS, { message: `must be one of ${BALLOT_ITEM_KINDS.join(', ')}` })
  kind?: BallotItemKind;
}

export class ListDiscrepanciesQuery {
  @ApiPropertyOptional({ enum: ['open', 'allegation', 'dismissed'] })
  @IsOptional()
  @IsIn(['open', 'allegation', 'dismissed'], { message: 'must be one of open, allegation, dismissed' })
  status?: 'open' | 'allegation' | 'dismissed';
}
