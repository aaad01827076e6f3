import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';

/** The statuses a case referred to a force can have while the force holds it. */
export const REFERRAL_QUEUE_STATUSES = ['referred', 'accepted'] as const;
export type ReferralQueueStatus = (typeof REFERRAL_QUEUE_STATUSES)[number];

export class ListReferralsQuery {
  @ApiPropertyOptional({
    enum: REFERRAL_QUEUE_STATUSES,
    description: 'referred: waiting for the force to accept or return; accepted: the force is investigating. Unset: both',
  })
  @IsOptional()
  @IsIn(REFERRAL_QUEUE_STATUSES, { message: `must be one of ${REFERRAL_QUEUE_STATUSES.join(', ')}` })
  status?: ReferralQueueStatus;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Transform(({ value }) => (/^\d+$/.test(String(value)) ? Number(value) : value))
  @IsInt({ message: 'must be a whole number' })
  @Min(1)
  @Max(500)
  limit?: number;
}
