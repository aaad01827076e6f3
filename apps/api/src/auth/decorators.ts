// The API's controllers take their access decorators from here; they live in libs/auth, which the
// web pages share (apps/web may not import apps/api).
export { CurrentUser, PUBLIC_KEY, Public, ROLES_KEY, Roles } from '@libs/auth/decorators';
