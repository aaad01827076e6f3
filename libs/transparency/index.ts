// The transparency log over every audit event of an authority (libs/merkle applied to
// audit_events): tree heads and proofs from PostgreSQL, signed checkpoints, and the check of the
// log against an earlier checkpoint.
export * from './log';
export * from './checkpoints';
export * from './check';
export * from './signing-key';
