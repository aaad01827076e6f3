// tools/tlogcheck (Go) for the tests: built once per version of its sources into
// ~/.cache/election-casework/tlogcheck/<hash>/, with the Go toolchain CI has.
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

const TOOL_DIR = resolve(__dirname, '../../tools/tlogcheck');

/** The Go toolchain: `go` on PATH, else /usr/local/go/bin/go. CI has Go; without it this test cannot run. */
export function goCommand(): string {
  for (const candidate of ['go', '/usr/local/go/bin/go']) {
    try {
      execFileSync(candidate, ['version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // try the next
    }
  }
  throw new Error(
    'Go is not installed (no `go` on PATH or at /usr/local/go/bin/go): test/tlog-go-check.e2e-spec.ts builds tools/tlogcheck with it. Install Go 1.26 or later.',
  );
}

/** tools/tlogcheck, built once per version of its sources into ~/.cache/election-casework/tlogcheck/<hash>/. */
export function buildTlogcheck(): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(TOOL_DIR)
    .filter((n) => /\.go$|^go\.(mod|sum)$/.test(n))
    .sort())
    hash
      .update(name)
      .update('\0')
      .update(readFileSync(join(TOOL_DIR, name)));
  const out = join(homedir(), '.cache', 'election-casework', 'tlogcheck', hash.digest('hex').slice(0, 16));
  const binary = join(out, 'tlogcheck');
  if (!existsSync(binary)) {
    mkdirSync(out, { recursive: true });
    // Built beside it and renamed, so that two test files building at once never run half a file.
    const partial = `${binary}.${process.pid}`;
    execFileSync(goCommand(), ['build', '-o', partial, '.'], { cwd: TOOL_DIR, stdio: 'inherit' });
    renameSync(partial, binary);
  }
  return binary;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(command, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as any).code === 'number' ? (error as any).code : -1) : 0;
      done({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}
