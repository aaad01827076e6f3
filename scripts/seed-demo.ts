// `npm run -s seed:demo`: the demo tenants and users of API.md, idempotently, against
// DATABASE_URL or the embedded database in DATA_DIR (migrating it first if needed).
import 'reflect-metadata';
import { resolve } from 'node:path';
import { openDatabase } from '@libs/infra';
import { createDataSource, migrate, seedDemo } from '@libs/persistence';

async function main(): Promise<void> {
  const db = await openDatabase(resolve(process.env.DATA_DIR ?? '.data'), process.env, (l) => console.error(l));
  const ds = await createDataSource({ url: db.url, poolSize: 2 }).initialize();
  try {
    await migrate(ds);
    const added = await seedDemo(ds);
    console.error(
      `seed:demo: added ${added.forces} forces, ${added.authorities} authorities, ${added.users} users, ${added.policies} policies (existing ones kept)`,
    );
  } finally {
    await ds.destroy();
    await db.release();
  }
}

main().catch((error) => {
  console.error(`seed:demo: ${(error as Error).message}`);
  process.exit(1);
});
