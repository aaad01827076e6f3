import { HttpStatus, ValidationError, ValidationPipe } from '@nestjs/common';
import { ApiError, ErrorDetail } from './api-error';

function flatten(errors: ValidationError[], prefix = ''): ErrorDetail[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({
      field,
      problem:
        rule === 'whitelistValidation' ? 'is not a known field' : message.startsWith(`${error.property} `) ? message.slice(error.property.length + 1) : message,
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Whitelisting validation: unknown fields are refused, and a 422 names every bad field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const details = flatten(errors);
      const summary = details.map((d) => `${d.field || 'body'} ${d.problem}`).join('; ');
      return new ApiError(
        HttpStatus.UNPROCESSABLE_ENTITY,
        summary || 'the request failed validation',
        details.length ? details : [{ field: '', problem: 'must be a JSON object' }],
      );
    },
  });
}
