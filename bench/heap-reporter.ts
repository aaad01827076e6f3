// Preloaded into the worker and the API by `npm run bench:soak` (NODE_OPTIONS=--require ...), never
// by the application itself. Every BENCH_HEAP_EVERY_MS (default 5,000) each JavaScript thread of
// the process appends its V8 heap figures to BENCH_HEAP_DIR/<pid>.jsonl. The worker runs workflows
// in threads of their own, each with its own heap, so the main thread's process.memoryUsage()
// alone would miss the workflow cache; a preloaded module runs in every thread, so each reports.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import v8 from 'node:v8';
import { threadId } from 'node:worker_threads';

const dir = process.env.BENCH_HEAP_DIR;
if (dir) {
  const file = join(dir, `${process.pid}.jsonl`);
  const every = Number(process.env.BENCH_HEAP_EVERY_MS) || 5_000;
  const report = () => {
    const heap = v8.getHeapStatistics();
    try {
      appendFileSync(
        file,
        `${JSON.stringify({ at: Date.now(), thread: threadId, usedBytes: heap.used_heap_size, totalBytes: heap.total_heap_size, externalBytes: heap.external_memory })}\n`,
      );
    } catch {
      // the benchmark removed the directory while stopping: nothing left to report to
    }
  };
  report();
  setInterval(report, every).unref();
}
