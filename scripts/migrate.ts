// `npm run migrate`: applies pending migrations to DATABASE_URL or the embedded database.
// `npm run migrate -- --revert` undoes the latest one.
import 'reflect-metadata';
import { resolve } from 'node:path';
import { openDatabase } from '@libs/infra';
import { createDataSource, migrate } from '@libs/persistence';

async function main(): Promise<void> {
  const db = await openDatabase(resolve(process.env.DATA_DIR ?? '.data'), process.env, (l) => console.error(l));
  const ds = await createDataSource({ url: db.url, poolSize: 2 }).initialize();
  try {
    if (process.argv.includes('--revert')) {
      await ds.undoLastMigration({ transaction: 'each' });
      console.error('migrate: reverted the latest migration');
    } else {
      const applied = await migrate(ds);
      console.error(applied.length ? `migrate: applied ${applied.join(', ')}` : 'migrate: nothing to apply');
    }
  } finally {
    await ds.destroy();
    await db.release();
  }
}

main().catch((error) => {
  console.error(`migrate: ${(error as Error).message}`);
  process.exit(1);
});
