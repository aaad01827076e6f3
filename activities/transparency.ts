// The checkpoint Schedule's pass: a signed checkpoint for each authority whose audit log grew
// since its latest one. An authority whose log lost or changed events since its latest checkpoint
// gets none (issueCheckpoint refuses to sign over it); the others still do, and the pass then
// fails, naming the broken logs, without retrying: a broken log does not mend itself.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import { DirectoryStore } from '@libs/persistence/stores/directory.store';
import { issueCheckpoint, LogBroken, type CheckpointSigner } from '@libs/transparency';

export interface CheckpointPass {
  authorities: number;
  issued: number;
}

export async function issueCheckpoints(db: DataSource, signer: CheckpointSigner): Promise<CheckpointPass> {
  const authorities = await new DirectoryStore(db).authorityIds();
  const broken: string[] = [];
  let issued = 0;
  for (const id of authorities) {
    Context.current().heartbeat(id);
    try {
      if (await issueCheckpoint(db, id, signer, { ifGrown: true, onProgress: (cached) => Context.current().heartbeat({ authorityId: id, cached }) }))
        issued += 1;
    } catch (error) {
      if (!(error instanceof LogBroken)) throw error;
      broken.push(error.message);
    }
  }
  if (broken.length > 0) throw ApplicationFailure.nonRetryable(`no checkpoint for a broken audit log: ${broken.join('; ')}`, 'AuditLogBroken');
  return { authorities: authorities.length, issued };
}
