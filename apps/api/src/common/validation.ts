import { HttpStatus, ValidationError, ValidationPipe } from '@nestjs/common';
import { fieldProblem, fieldProblemFromText, problem, type FieldProblem } from '@libs/domain';
import { ApiError } from './api-error';

/** One problem per broken constraint, named by its field path; each with its code, read back from its words. */
export function validationProblems(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) =>
      rule === 'whitelistValidation'
        ? fieldProblem(field, 'validation.unknown_field')
        : fieldProblemFromText(field, message.startsWith(`${error.property} `) ? message.slice(error.property.length + 1) : message),
    );
    return [...own, ...validationProblems(error.children ?? [], field)];
  });
}

/** The 422 for a list of field problems: the message lists them, each detail has its code. */
export function invalidRequest(details: FieldProblem[]): ApiError {
  const summary = details.map((d) => `${d.field || 'body'} ${d.problem}`).join('; ');
  return new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, problem('request.invalid', { summary }), details);
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
      const details = validationProblems(errors);
      if (details.length > 0) return invalidRequest(details);
      return new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, problem('validation.failed'), [fieldProblem('', 'validation.json_object')]);
    },
  });
}
