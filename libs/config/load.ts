import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

export class ConfigError extends Error {}

/**
 * Reads one module's settings from the environment and validates them. A missing or bad value
 * raises a ConfigError whose one-line message names the variable, never its value, so a
 * misconfigured secret is not printed. This is the one place that reads process.env (the lint rule
 * no-restricted-properties keeps it so); `overrides` replace single settings, such as an address
 * a process was handed.
 */
export function loadConfig<T extends object>(cls: new () => T, env: NodeJS.ProcessEnv = process.env, overrides: NodeJS.ProcessEnv = {}): T {
  const instance = plainToInstance(
    cls,
    { ...env, ...overrides },
    { enableImplicitConversion: false, excludeExtraneousValues: true, exposeDefaultValues: true },
  );
  const errors = validateSync(instance, { skipMissingProperties: false });
  if (errors.length > 0) {
    const details = errors.map((e) =>
      e.value === undefined || e.value === ''
        ? `${e.property} is required`
        : `${e.property} ${Object.values(e.constraints ?? {})[0]?.replace(/^\S+\s/, '') ?? 'is invalid'}`,
    );
    throw new ConfigError(`configuration error: ${details.join('; ')}`);
  }
  return instance;
}
