// JSON and query strings that parse but must not go further: text PostgreSQL cannot store (NUL;
// lone UTF-16 surrogates, which jsonb refuses and text columns silently turn into U+FFFD), keys
// that name Object.prototype's members (class-transformer silently drops them instead of the
// validator refusing them, and `__proto__` re-parents whatever object it is copied onto), and
// nesting deeper than any DTO has, which would otherwise overflow the stack of the recursive
// transformer and validator (a 500). Found by test/fuzz-bodies.e2e-spec.ts.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { fieldProblem, problem, type FieldProblem } from '@libs/domain';
import { sendError } from './error-body';

/** Deeper than any request DTO nests (an allegation's peopleInvolved[i].name is 3). */
export const MAX_JSON_DEPTH = 32;

const PROTOTYPE_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A field name fit to echo back: control characters and lone surrogates shown as U+FFFD. */
const printable = (name: string) => name.replace(/[\u0000-\u001f\u007f]/g, '\ufffd').replace(new RegExp(LONE_SURROGATE, 'g'), '\ufffd');

function textProblem(text: string): 'nul' | 'lone_surrogate' | null {
  if (text.includes('\u0000')) return 'nul';
  if (LONE_SURROGATE.test(text)) return 'lone_surrogate';
  return null;
}

/** The first thing wrong with a parsed JSON value, named by its field path; null when it may go on. */
export function hostileJson(value: unknown, path = '', depth = 0): FieldProblem | null {
  const field = path || 'body';
  if (typeof value === 'string') {
    const found = textProblem(value);
    return found ? fieldProblem(field, found === 'nul' ? 'validation.nul' : 'validation.lone_surrogate') : null;
  }
  if (typeof value !== 'object' || value === null) return null;
  if (depth >= MAX_JSON_DEPTH) return fieldProblem(field, 'validation.too_deep', { max: MAX_JSON_DEPTH });
  for (const key of Object.keys(value)) {
    const keyPath = path ? `${path}.${printable(key)}` : printable(key);
    const keyProblem = textProblem(key);
    if (keyProblem) return fieldProblem(keyPath, keyProblem === 'nul' ? 'validation.key_nul' : 'validation.key_lone_surrogate');
    if (!Array.isArray(value) && PROTOTYPE_KEYS.has(key)) return fieldProblem(keyPath, 'validation.unknown_field');
    const inner = hostileJson((value as Record<string, unknown>)[key], keyPath, depth + 1);
    if (inner) return inner;
  }
  return null;
}

/** Refuses, with a 422 naming the field, JSON bodies and query parameters that hostileJson finds fault with. */
export function refuseHostileText(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    // No record's id or slug holds a NUL, and PostgreSQL refuses to compare text with one (a 500).
    if (decodedPath(req.path).includes('\u0000'))
      return sendError(res, 404, 'not found', [{ field: 'path', problem: 'names nothing (it holds a NUL character)' }]);
    const inQuery = hostileJson(req.query);
    const found = inQuery ?? (req.is('application/json') && req.body !== undefined ? hostileJson(req.body) : null);
    if (!found) return next();
    const { message, ...coded } = problem('request.invalid', { summary: `${found.field} ${found.problem}` });
    sendError(res, 422, message, [found], coded);
  };
}

/** The path with its percent-escapes decoded, or as it is when they are malformed (Express then answers 400). */
function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
