// `npm run temporal:server`: finds (or builds with Go) the Temporal server and temporal-sql-tool
// that TEMPORAL_MODE=server and the scale-out fault suite use, and prints their paths.
import { findTemporalServerBinaries, TemporalServerNotFound } from '@libs/infra';

try {
  const { server, sqlTool } = findTemporalServerBinaries();
  process.stdout.write(`${server}\n${sqlTool}\n`);
} catch (error) {
  console.error((error as TemporalServerNotFound).message);
  process.exit(1);
}
