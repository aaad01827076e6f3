// The OpenAPI document's error responses. Every error the API sends has one body,
// { statusCode, error, message, details } (API.md; error-body.ts), and most of the statuses follow
// from what a route is: every route can be refused for its URL, headers, rate or a dependency
// being down; a route that needs a token answers 401 and 403; one with a path parameter 404; one
// with a body 413 and 415. @ApiStandardErrors() on a controller documents those for each of its
// routes, from the route's own metadata; @ApiErrors() adds what only some routes answer (409,
// 410, 507, or a sharper description). test/openapi.e2e-spec.ts fails for a route without them.
import { applyDecorators } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common/enums/request-method.enum';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PUBLIC_KEY, ROLES_KEY } from '../auth/decorators';

export class ErrorDetailBody {
  @ApiProperty({ description: 'the field, header or part of the request the problem is with', example: 'pollDate' })
  field!: string;

  @ApiProperty({ description: 'what is wrong with it', example: 'must be a date (YYYY-MM-DD)' })
  problem!: string;

  @ApiPropertyOptional({ description: 'the line of an uploaded file the problem is on', example: 12 })
  line?: number;

  @ApiPropertyOptional({
    description: "the problem's stable code (see ErrorBody.code), when its words are one of the API's wordings; every detail of a 422 has one",
    example: 'validation.date',
  })
  code?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'the values its words name, by name (see ErrorBody.values)',
    example: {},
  })
  values?: Record<string, unknown>;
}

/** The body of every error answer. */
export class ErrorBody {
  @ApiProperty({ description: 'the HTTP status, repeated', example: 422 })
  statusCode!: number;

  @ApiProperty({ description: "the status's reason phrase", example: 'Unprocessable Entity' })
  error!: string;

  @ApiProperty({ description: 'what went wrong, for a person to read', example: 'pollDate must be a date (YYYY-MM-DD)' })
  message!: string;

  @ApiPropertyOptional({ type: [ErrorDetailBody], description: 'one entry per problem; empty when there is nothing more to say' })
  details?: ErrorDetailBody[];

  @ApiPropertyOptional({
    description:
      'a refusal\'s stable code (every 409 and 422 has one): a client shows the problem in its own words by code, with `values`, and falls back to `message` for a code it does not know. The codes and their English are listed in libs/domain/problems.ts; `request.invalid` means "see each detail\'s code"',
    example: 'decision.not_in_state',
  })
  code?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: "the values the code's words name, by name: text, numbers, ISO-8601 instants, or lists of codes; `message` is the English with them filled in",
    example: { status: 'accepted', decision: 'return', allowed: ['referred'] },
  })
  values?: Record<string, unknown>;
}

/** What each status means on this API, unless a route says more. */
export const ERROR_MEANINGS: Record<number, string> = {
  400: 'the request is malformed (a body that is not valid JSON, a query parameter of the wrong form); nothing was changed',
  401: 'no bearer token, or one that is not valid (signature, issuer, audience, expiry, key)',
  403: "the caller's roles do not allow this",
  404: 'no such record that the caller may see (another tenant\'s records are "not found" too)',
  409: 'the record is not in a state that allows this; nothing was changed',
  410: 'the content is gone (destroyed or missing); its hash remains',
  413: 'the request body is too large',
  414: 'the request URL is too long',
  415: 'the request body is not of an accepted type (application/json unless the route says otherwise)',
  422: 'the request failed validation (or holds text the API refuses, such as control characters); `details` names each field; nothing was changed',
  429: 'too many requests from this user or address; `Retry-After` says when to try again',
  431: 'the request headers are too large',
  500: 'an unexpected error; the message quotes the request id to report',
  503: 'the database or the workflow service is unavailable; `Retry-After` says when to try again; nothing was changed',
  507: 'the evidence store is full; nothing was stored',
};

type ErrorSpec = number | [status: number, description: string];

/** Always JSON, whatever the route's success answer is (a CSV, a PDF, a file): the error filter sends JSON. */
function errorResponse(status: number, description?: string) {
  return applyDecorators(
    ApiExtraModels(ErrorBody),
    ApiResponse({
      status,
      description: description ?? ERROR_MEANINGS[status] ?? 'an error',
      content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorBody) } } },
    }),
  );
}

/** Documents error answers of one route (on a method) or of every route (on a controller). */
export function ApiErrors(...specs: ErrorSpec[]) {
  return applyDecorators(...specs.map((s) => (Array.isArray(s) ? errorResponse(s[0], s[1]) : errorResponse(s))));
}

/** @nestjs/swagger's metadata keys (its constants are not exported from the package root). */
const SWAGGER_RESPONSES = 'swagger/apiResponse';
const SWAGGER_SECURITY = 'swagger/apiSecurity';

const BODY_METHODS = new Set([RequestMethod.POST, RequestMethod.PUT, RequestMethod.PATCH]);

/**
 * The statuses every route of this controller can answer, worked out per route: 400, 414, 422,
 * 429, 431, 500 and 503 always; 401 and 403 unless the route is @Public() (403 names the roles);
 * 404 with a path parameter; 413 and 415 for POST, PUT and PATCH. A public route is also marked
 * as needing no token (`security: [{}]`), the document's default being the bearer token. Statuses
 * the route or its controller documents itself are left as they are; a route that documents no
 * success answer gets the one Nest would have given it (200, or 201 for POST, or its @HttpCode).
 */
export function ApiStandardErrors(): ClassDecorator {
  return (target) => {
    const controllerPaths = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, target) ?? '');
    const classPublic = Reflect.getMetadata(PUBLIC_KEY, target) === true;
    const classRoles = Reflect.getMetadata(ROLES_KEY, target) as string[] | undefined;
    for (const key of Object.getOwnPropertyNames(target.prototype)) {
      const descriptor = Object.getOwnPropertyDescriptor(target.prototype, key);
      const handler = descriptor?.value;
      if (key === 'constructor' || typeof handler !== 'function') continue;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
      const paths = [...controllerPaths, ...([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, handler))];
      const isPublic = classPublic || Reflect.getMetadata(PUBLIC_KEY, handler) === true;
      const roles = (Reflect.getMetadata(ROLES_KEY, handler) as string[] | undefined) ?? classRoles;
      const statuses: ErrorSpec[] = [400, 414, 422, 429, 431, 500, 503];
      if (!isPublic) statuses.push(401, [403, roles ? `the caller has none of the roles: ${roles.join(', ')}` : ERROR_MEANINGS[403]]);
      if (paths.some((p) => p.includes(':'))) statuses.push(404);
      if (BODY_METHODS.has(method)) statuses.push(413, 415);
      const documented = { ...(Reflect.getMetadata(SWAGGER_RESPONSES, target) ?? {}), ...(Reflect.getMetadata(SWAGGER_RESPONSES, handler) ?? {}) } as Record<
        string,
        unknown
      >;
      // Any response decorator stops @nestjs/swagger adding its default success answer: say it.
      if (!Object.keys(documented).some((status) => /^2/.test(status))) {
        const status = (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ?? (method === RequestMethod.POST ? 201 : 200);
        ApiResponse({ status, description: 'success: the body is described in shared/API.md' })(target.prototype, key, descriptor!);
      }
      const missing = statuses.filter((s) => !((Array.isArray(s) ? s[0] : s) in documented));
      ApiErrors(...missing)(target.prototype, key, descriptor!);
      // One empty requirement: no token needed (an empty list would be dropped by @nestjs/swagger).
      if (isPublic) Reflect.defineMetadata(SWAGGER_SECURITY, [{}], handler);
    }
  };
}
