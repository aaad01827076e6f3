// `npm run temporal:cli`: finds (or builds) the Temporal CLI and prints its path.
import { findTemporalCli, TemporalCliNotFound } from '@libs/infra';

try {
  const path = findTemporalCli();
  if (!path) {
    console.error('temporal: no CLI found and no Go toolchain; `npm start` and `npm test` will use the Temporal SDK download, which needs the internet');
    process.exit(1);
  }
  process.stdout.write(`${path}\n`);
} catch (error) {
  console.error((error as TemporalCliNotFound).message);
  process.exit(1);
}
