// Route access metadata, shared by the API's controllers and the web pages' (which mark their
// routes @Public and check the session themselves): apps/web may not import apps/api, so what
// both need lives here. The API's AuthGuard reads these keys.
import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Principal, Role } from './principal';

export const ROLES_KEY = 'casework:roles';
export const PUBLIC_KEY = 'casework:public';

/** The roles that may call a route. A route with neither @Roles nor @Public is refused to everyone. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest().principal);
