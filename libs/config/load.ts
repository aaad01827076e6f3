import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

export class ConfigError extends Error {}

/**
 * Reads one module's settings from the environment and validates them. A missing or bad value
 * raises a ConfigError whose one-line message names the variable, never its value, so a
 * misconfigured secret is not printed.
 */
export function loadConfig<T extends object>(cls: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const instance = plainToInstance(cls, env, { enableImplicitConversion: false, excludeExtraneousValues: true, exposeDefaultValues: true });
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
