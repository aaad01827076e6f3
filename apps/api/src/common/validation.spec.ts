// A 422 from request validation names each field with its problem's code, so a client can say it
// in its own language (libs/domain/problems.ts). class-validator and the DTOs word the problems;
// the pipe finds each one's code by its words. Every message any DTO can produce is checked here
// to read back to a code, so a new validator with new words fails until they have a code (and,
// by apps/web/src/problems.spec.ts, their Welsh).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ArgumentMetadata } from '@nestjs/common';
import { getMetadataStorage, IsIn, IsString, MaxLength, type ValidationArguments } from 'class-validator';
import { problemFromText, problemText } from '@libs/domain';
import { ApiError } from './api-error';
import { createValidationPipe } from './validation';

/** A request class. */
type Constructor = abstract new (...args: never[]) => unknown;

const API_SRC = join(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

interface Metadata {
  type: string;
  name?: string;
  propertyName: string;
  constraints?: unknown[];
  constraintCls?: Constructor;
  message?: string | ((args: ValidationArguments) => string);
  each?: boolean;
}

/** Every message the API's request classes can give, as the pipe names it (the field's name taken off the front). */
function everyMessage(): { where: string; message: string }[] {
  const classes = new Set<unknown>();
  for (const file of sources(API_SRC))
    if (readFileSync(file, 'utf8').includes("from 'class-validator'")) for (const v of Object.values(require(file))) classes.add(v);
  const storage = getMetadataStorage() as unknown as {
    validationMetadatas: Map<Constructor, Metadata[]>;
    getTargetValidatorConstraints(cls: Constructor): { instance: { defaultMessage?: (args: ValidationArguments) => string } }[];
  };
  const out: { where: string; message: string }[] = [];
  for (const [target, metadatas] of storage.validationMetadatas) {
    if (!classes.has(target)) continue;
    for (const m of metadatas) {
      if (m.type === 'conditionalValidation' || m.type === 'whitelistValidation') continue;
      const args: ValidationArguments = { constraints: m.constraints ?? [], property: m.propertyName, targetName: target.name, value: undefined, object: {} };
      const nested = m.type === 'nestedValidation';
      let message =
        typeof m.message === 'function'
          ? m.message(args)
          : (m.message ??
            (nested
              ? `${m.each ? 'each value in ' : ''}nested property ${m.propertyName} must be either object or array`
              : storage.getTargetValidatorConstraints(m.constraintCls!)[0]?.instance.defaultMessage?.(args)));
      if (message === undefined) throw new Error(`${target.name}.${m.propertyName}: ${m.name ?? m.type} has no message`);
      (m.constraints ?? []).forEach(
        (c, i) => (message = message!.replace(new RegExp(`\\$constraint${i + 1}`, 'g'), Array.isArray(c) ? c.join(', ') : String(c))),
      );
      message = message.replace(/\$property/g, m.propertyName).replace(/\$target/g, target.name);
      out.push({
        where: `${target.name}.${m.propertyName} (${m.name ?? m.type})`,
        message: message.startsWith(`${m.propertyName} `) ? message.slice(m.propertyName.length + 1) : message,
      });
    }
  }
  return out;
}

it('reads every validation message of every request class back to its code', () => {
  const messages = everyMessage();
  expect(messages.length).toBeGreaterThan(150);
  const unread = messages.filter(({ message }) => {
    const found = problemFromText(message);
    return !found || problemText(found.code, found.values) !== message;
  });
  expect(unread).toEqual([]);
});

class Sample {
  @IsString()
  @MaxLength(10)
  title!: string;

  @IsIn(['routine', 'urgent'], { message: 'must be one of routine, urgent' })
  urgency!: string;
}

it('answers a request that fails validation with a 422 whose every detail has its code and values', async () => {
  const pipe = createValidationPipe();
  const metadata: ArgumentMetadata = { type: 'body', metatype: Sample };
  const error = (await pipe.transform({ title: 'x'.repeat(11), urgency: 'soon', extra: 1 }, metadata).catch((e: unknown) => e)) as ApiError;
  expect(error).toBeInstanceOf(ApiError);
  expect(error.getStatus()).toBe(422);
  expect(error.code).toBe('request.invalid');
  expect(error.details).toEqual([
    { field: 'extra', problem: 'is not a known field', code: 'validation.unknown_field', values: {} },
    { field: 'title', problem: 'must be shorter than or equal to 10 characters', code: 'validation.max_length', values: { max: 10 } },
    { field: 'urgency', problem: 'must be one of routine, urgent', code: 'validation.one_of', values: { values: 'routine, urgent' } },
  ]);
  expect(error.message).toBe('extra is not a known field; title must be shorter than or equal to 10 characters; urgency must be one of routine, urgent');
  expect(error.values).toEqual({ summary: error.message });
});
