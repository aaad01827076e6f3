// Activities are side effects, built by a factory from their dependencies so that neither Nest
// nor TypeORM enters the workflow sandbox (each workflow imports only `type Activities`, and proxies the `Pick<>` of it that it calls).
import type { DataSource } from 'typeorm';
import type { Mailer } from '@libs/mail';
import type { ContentStore } from '@libs/storage';
import type { CheckpointSigner } from '@libs/transparency';
import { checkEvidenceIntegrity, raiseDisposalReviews } from './evidence-checks';
import { retryPendingEmails } from './email';
import { emailDueEvent, NotifyInput, NotifyResult } from './notifications';
import { NotifyBatcher, NotifyBatcherOptions } from './notify-batcher';
import { PackageStepInput, recordPackageAcknowledged, recordPackageHandover, sealPackage, SealPackageInput } from './packages';
import { openTriage, OpenTriageInput, projectCase, ProjectCaseInput } from './projections';
import { projectRiskDue } from './risks';
import { projectDispatchedRiskDue, sendDueRiskNotices, type DispatcherWaker, type SendDueRiskNoticesResult } from './risk-dispatch';
import { liaisonContactGrace, projectLiaisonDue } from './liaison';
import { issueCheckpoints } from './transparency';
import type { SealedPackage } from '@workflows/allegation/messages';
import { Context } from '@temporalio/activity';

export interface ActivityDependencies {
  db: DataSource;
  /** sends notifications by email too; null or absent means in-app only */
  mailer?: Mailer | null;
  /** the evidence content store, re-hashed by the integrity check */
  store: ContentStore;
  /** signs the transparency log's checkpoints */
  checkpointSigner: CheckpointSigner;
  /** how notifications are batched and digested (WORKER_NOTIFY_BATCH_SIZE, WORKER_NOTIFY_BATCH_WAIT_MS, WORKER_NOTIFY_DIGEST_WINDOW_MS) */
  notifyBatch?: NotifyBatcherOptions;
  /** most risk review notices the dispatcher sends in one transaction (WORKER_RISK_NOTICE_BATCH_SIZE) */
  riskNoticeBatch?: number;
}

/** The running activity's worker: its client and task queue, where the risk notice dispatchers run. */
function activityWaker(): DispatcherWaker {
  const context = Context.current();
  return { client: context.client, taskQueue: context.info.taskQueue };
}

export function createActivities({ db, store, checkpointSigner, mailer = null, notifyBatch, riskNoticeBatch = 500 }: ActivityDependencies) {
  // Notifications of due events that run at once share a transaction (activities/notify-batcher.ts).
  const notifications = new NotifyBatcher(db, notifyBatch);
  return {
    notify: async (input: NotifyInput): Promise<NotifyResult> => {
      const result = await notifications.submit(input);
      // Its own due key, or the digest it led; a digest's other due events send nothing.
      for (const key of result.emailKeys ?? [input.dueKey]) await emailDueEvent(db, mailer, key);
      return result;
    },
    openTriage: (input: OpenTriageInput): Promise<void> => openTriage(db, input),
    projectCase: (input: ProjectCaseInput): Promise<void> => projectCase(db, input),
    sealPackage: (input: SealPackageInput): Promise<SealedPackage> => sealPackage(db, input),
    recordPackageHandover: (input: PackageStepInput): Promise<void> => recordPackageHandover(db, input),
    recordPackageAcknowledged: (input: PackageStepInput): Promise<void> => recordPackageAcknowledged(db, input),
    checkEvidenceIntegrity: () => checkEvidenceIntegrity(db, store),
    raiseDisposalReviews: () => raiseDisposalReviews(db),
    retryPendingEmails: () => retryPendingEmails(db, mailer),
    projectRiskDue: (input: { riskId: string; nextReviewDueAt: string; escalated?: boolean }): Promise<void> => projectRiskDue(db, input),
    projectDispatchedRiskDue: (input: { riskId: string; nextReviewDueAt: string; escalationDueAt: string }): Promise<void> =>
      projectDispatchedRiskDue(db, activityWaker(), input),
    sendDueRiskNotices: (input: { authorityId: string }): Promise<SendDueRiskNoticesResult> =>
      sendDueRiskNotices(db, mailer, { ...input, batchSize: riskNoticeBatch, lingerMs: 5_000, signal: Context.current().cancellationSignal }, (progress) =>
        Context.current().heartbeat(progress),
      ),
    projectLiaisonDue: (input: { agreementId: string; nextContactDueAt: string; escalated?: boolean }): Promise<void> => projectLiaisonDue(db, input),
    liaisonContactGrace: (authorityId: string): Promise<string> => liaisonContactGrace(db, authorityId),
    issueCheckpoints: () => issueCheckpoints(db, checkpointSigner),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { NotifyInput, NotifyResult, OpenTriageInput, PackageStepInput, ProjectCaseInput, SealPackageInput };
