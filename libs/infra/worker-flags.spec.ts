// The worker's heap flags are given in two places: WORKER_NODE_FLAGS (npm start, the benchmarks)
// and the Docker image's CMD, which cannot import it. They must say the same.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKER_NODE_FLAGS } from './services';

it("the worker's Docker image starts it with WORKER_NODE_FLAGS", () => {
  const dockerfile = readFileSync(join(__dirname, '../../docker/Dockerfile.worker'), 'utf8');
  const cmd = /^CMD (\[.*\])$/m.exec(dockerfile);
  expect(cmd).not.toBeNull();
  const args = JSON.parse(cmd![1]) as string[];
  expect(args.slice(0, 2)).toEqual(['node', '--enable-source-maps']);
  expect(args.slice(2, -1)).toEqual([...WORKER_NODE_FLAGS]);
  expect(args.at(-1)).toBe('dist/apps/worker/src/main.js');
});
