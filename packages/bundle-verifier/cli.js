#!/usr/bin/env node
'use strict';
// casework-bundle-verifier verify <bundle.json> [--public-key <file>] [--history <history.json>] [--json]
// Exit status: 0 every check passed; 1 a check failed; 2 the command could not run.
const { readFileSync } = require('node:fs');
const { verifyBundleText } = require('./index');

const USAGE = 'usage: casework-bundle-verifier verify <bundle.json> [--public-key <key.pem>] [--history <history.json>] [--json]';

function main(argv) {
  const [command, file, ...rest] = argv;
  if (command !== 'verify' || !file) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let publicKey;
  let historyFile;
  let json = false;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--json') json = true;
    else if (rest[i] === '--public-key' && rest[i + 1]) publicKey = readFileSync(rest[++i], 'utf8');
    else if (rest[i] === '--history' && rest[i + 1]) historyFile = rest[++i];
    else {
      process.stderr.write(`unknown option ${rest[i]}\n${USAGE}\n`);
      return 2;
    }
  }
  const read = (name) => {
    try {
      return readFileSync(name === '-' ? 0 : name, 'utf8');
    } catch (error) {
      process.stderr.write(`cannot read ${name}: ${error.message}\n`);
      return undefined;
    }
  };
  const text = read(file);
  const history = historyFile === undefined ? undefined : read(historyFile);
  if (text === undefined || (historyFile !== undefined && history === undefined)) return 2;
  const result = verifyBundleText(text, { publicKey, history });
  if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    for (const c of result.checks) process.stdout.write(c.ok ? `ok    ${c.name}: ${c.detail}\n` : `FAIL  ${c.name}: ${c.problem}\n`);
    process.stdout.write(
      result.valid ? 'the bundle is intact\n' : `the bundle FAILS ${result.problems.length} check${result.problems.length === 1 ? '' : 's'}\n`,
    );
  }
  return result.valid ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
