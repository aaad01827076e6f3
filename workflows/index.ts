// Every workflow type the worker registers.
export { allegationWorkflow } from './allegation/workflow';
export { evidencePackageWorkflow } from './evidence-package.workflow';
export { emailRetryWorkflow, evidenceIntegrityWorkflow, evidenceRetentionReviewWorkflow } from './evidence-checks.workflow';
export { riskReviewWorkflow } from './risk-review.workflow';
export { riskReviewDispatchWorkflow } from './risk-review-dispatch.workflow';
export { liaisonWorkflow } from './liaison.workflow';
export { transparencyCheckpointWorkflow } from './transparency.workflow';
