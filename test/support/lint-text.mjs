// Run by test/lint-rules.spec.ts in a child process (ESLint loads eslint.config.mjs with import(),
// which Jest's module sandbox does not offer). Reads a JSON array of requests on stdin and writes
// one JSON array of answers: { lint: code, filePath, fix? } answers ESLint's messages (and the
// fixed text with fix), { codemod: code, filePath } answers the path-alias codemod's output.
import { ESLint } from 'eslint';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rewrite, root } from '../../scripts/codemods/path-aliases.mjs';

const requests = JSON.parse(readFileSync(0, 'utf8'));
const plain = new ESLint({ cwd: root });
const fixing = new ESLint({ cwd: root, fix: true });
const answers = [];
for (const request of requests) {
  const filePath = join(root, request.filePath);
  if (request.codemod !== undefined) {
    answers.push(rewrite(filePath, request.codemod));
    continue;
  }
  const [result] = await (request.fix ? fixing : plain).lintText(request.lint, { filePath });
  answers.push({ messages: result.messages.map((m) => ({ ruleId: m.ruleId, message: m.message })), output: result.output });
}
process.stdout.write(JSON.stringify(answers));
