// TypeORM entities mirror the migrations (synchronize is always off).
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AllegationLocation, AllegationStatus, OffenceCategory, Reporter, Urgency } from '../domain';

@Entity('allegations')
export class AllegationEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('text', { name: 'authority_id' }) authorityId: string;
  @Column('text') reference: string;
  @Column('text') category: OffenceCategory;
  @Column('text', { name: 'election_id', nullable: true }) electionId: string | null;
  @Column('date', { name: 'poll_date', nullable: true }) pollDate: string | null;
  @Column('jsonb') location: AllegationLocation;
  @Column('timestamptz', { name: 'occurred_at' }) occurredAt: Date;
  @Column('jsonb') reporter: Reporter;
  @Column('text') description: string;
  @Column('text') urgency: Urgency;
  @Column('boolean', { name: 'safety_concern' }) safetyConcern: boolean;
  @Column('jsonb', { name: 'people_involved' }) peopleInvolved: unknown[];
  @Column('text') status: AllegationStatus;
  @Column('timestamptz', { name: 'triage_due_at', nullable: true }) triageDueAt: Date | null;
  @Column('text', { name: 'referred_force_id', nullable: true }) referredForceId: string | null;
  @Column('timestamptz', { name: 'escalated_at', nullable: true }) escalatedAt: Date | null;
  /** the workflow's state as last projected (AllegationState); `{}` until the first decision */
  @Column('jsonb') state: Record<string, unknown>;
  @Column('int', { name: 'state_version' }) stateVersion: number;
  @Column('timestamptz', { name: 'spoc_due_at', nullable: true }) spocDueAt: Date | null;
  @Column('timestamptz', { name: 'information_due_at', nullable: true }) informationDueAt: Date | null;
  @Column('timestamptz', { name: 'next_due_at', nullable: true }) nextDueAt: Date | null;
  @Column('text', { nullable: true }) outcome: string | null;
  @Column('timestamptz', { name: 'closed_at', nullable: true }) closedAt: Date | null;
  @Column('uuid', { name: 'duplicate_of', nullable: true }) duplicateOf: string | null;
  @Column('text', { name: 'referral_force_ids', array: true }) referralForceIds: string[];
  @Column('boolean', { name: 'operation_ford' }) operationFord: boolean;
  @Column('uuid', { name: 'created_by' }) createdBy: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
}

@Entity('audit_events')
export class AuditEventEntity {
  @PrimaryColumn('bigint') id: string;
  @Column('uuid', { name: 'case_id' }) caseId: string;
  @Column('text', { name: 'authority_id' }) authorityId: string;
  @Column('int') seq: number;
  @Column('timestamptz') at: Date;
  @Column('text') actor: string;
  @Column('text') role: string;
  @Column('text') action: string;
  @Column('jsonb', { nullable: true }) before: unknown;
  @Column('jsonb', { nullable: true }) after: unknown;
  @Column('text', { name: 'prev_hash' }) prevHash: string;
  @Column('text') hash: string;
}

@Entity('notifications')
export class NotificationEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'recipient_id' }) recipientId: string;
  @Column('uuid', { name: 'case_id', nullable: true }) caseId: string | null;
  @Column('text') kind: string;
  @Column('text') subject: string;
  @Column('text') body: string;
  @Column('text', { name: 'due_key' }) dueKey: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'read_at', nullable: true }) readAt: Date | null;
  /** what it is about (libs/domain/notification-about.ts); null for rows that name nothing */
  @Column('text', { name: 'about_type', nullable: true }) aboutType: string | null;
  @Column('uuid', { name: 'about_id', nullable: true }) aboutId: string | null;
}

export const ENTITIES = [AllegationEntity, AuditEventEntity, NotificationEntity];
