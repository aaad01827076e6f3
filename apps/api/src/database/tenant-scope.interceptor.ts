import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Observable } from 'rxjs';
import type { Principal } from '@libs/auth/principal';
import { runInTenantScope } from '@libs/persistence';

/**
 * Runs each authenticated request's handler in its caller's tenant scope, which every database
 * transaction of the request then sets with SET LOCAL (libs/persistence/tenant-scope.ts). It runs
 * after the AuthGuard, which verified the token. A public route has no scope, so its queries see
 * no tenant rows unless it names one itself (the transparency log names the path's authority).
 */
@Injectable()
export class TenantScopeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const principal = context.switchToHttp().getRequest<{ principal?: Principal }>().principal;
    if (!principal) return next.handle();
    // Nest binds the handler's deferred call to the async context it is created in: this one.
    return runInTenantScope({ authorityId: principal.authorityId, forceId: principal.forceId, userId: principal.sub }, () => next.handle());
  }
}
