import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsUUID } from 'class-validator';
import { NOTIFICATION_ABOUT_TYPES, type NotificationAboutType } from '@libs/domain/notification-about';

/** Which of the caller's notifications: about one kind of record, one record, and/or unread. */
export class NotificationFilterQuery {
  @ApiPropertyOptional({ enum: NOTIFICATION_ABOUT_TYPES, description: 'only notifications about this kind of record' })
  @IsOptional()
  @IsIn(NOTIFICATION_ABOUT_TYPES)
  aboutType?: NotificationAboutType;

  @ApiPropertyOptional({ format: 'uuid', description: 'only notifications about this record (the id in `about.id`)' })
  @IsOptional()
  @IsUUID()
  aboutId?: string;

  @ApiPropertyOptional({ description: 'true: only unread notifications; false: only read ones' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  unread?: boolean;
}

export class NotificationAboutDto {
  @ApiProperty({ enum: NOTIFICATION_ABOUT_TYPES })
  type: NotificationAboutType;

  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'the case the record belongs to, when it belongs to one' })
  caseId: string | null;
}

export class NotificationDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'risk_review_reminder' }) kind: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) caseId: string | null;
  @ApiProperty({ type: NotificationAboutDto, nullable: true, description: 'what the notification is about; null for the few that name no record' })
  about: NotificationAboutDto | null;
  @ApiProperty() subject: string;
  @ApiProperty() body: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) readAt: string | null;
}

export class MarkedReadDto {
  @ApiProperty({ description: 'how many notifications this call marked read (those already read are not counted)' })
  marked: number;
}
