// TypeORM's one remaining entity, kept only until the allegations' reads move into
// AllegationsStore: TypeORM is the pool and the migration runner, and all SQL lives in the typed
// stores (docs/developers/persistence.md). The audit_events and notifications entities, never
// used through TypeORM, went with issue 19. Synchronize is always off.
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AllegationLocation, AllegationStatus, OffenceCategory, Reporter, Urgency } from '@libs/domain';

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

export const ENTITIES = [AllegationEntity];
