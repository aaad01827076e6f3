import { CanActivate, ExecutionContext, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { hasRole, Principal, Role } from '@libs/auth/principal';
import { TOKEN_VERIFIER, UnknownSigningKey, type TokenVerifier } from '@libs/auth/tokens';
import { ApiError } from '../common/api-error';
import { PUBLIC_KEY, ROLES_KEY } from '@libs/auth/decorators';
import { verifyOnce } from './verify-once';

/**
 * The one guard on every route: a verified bearer token (401), a role the route allows (403).
 * Tenancy is enforced where records are read, answering 404 for another tenant's records so
 * their existence is not disclosed.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKEN_VERIFIER) private readonly verify: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    const req = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const res = context.switchToHttp().getResponse<Response>();
    const header = req.header('authorization') ?? '';
    const match = /^Bearer ([A-Za-z0-9\-_.~+/]+=*)$/.exec(header);
    if (!match) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw new ApiError(HttpStatus.UNAUTHORIZED, 'a bearer token is required', [
        { field: 'Authorization', problem: header ? 'is not a Bearer token' : 'is missing' },
      ]);
    }
    try {
      req.principal = await verifyOnce(req, this.verify, match[1]);
    } catch (error) {
      res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      if (error instanceof UnknownSigningKey) {
        throw new ApiError(HttpStatus.UNAUTHORIZED, `the bearer token is not valid: it was signed with a key this server does not know (${error.hint})`, [
          { field: 'Authorization', problem: error.message },
        ]);
      }
      throw new ApiError(HttpStatus.UNAUTHORIZED, 'the bearer token is not valid', [{ field: 'Authorization', problem: (error as Error).message }]);
    }
    if (!roles || !hasRole(req.principal, roles)) {
      throw new ApiError(HttpStatus.FORBIDDEN, roles ? `this action needs one of the roles: ${roles.join(', ')}` : 'this route has no access rule', [
        { field: 'roles', problem: `has none of ${roles?.join(', ') ?? '(none)'}` },
      ]);
    }
    return true;
  }
}
