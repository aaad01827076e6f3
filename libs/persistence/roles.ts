// The database roles the processes run as (migration 1764666000000-TenantIsolation). The login
// user of DATABASE_URL owns the schema: migrations and the seed run as it. The API and the worker
// switch to their own role on every connection (`SET ROLE` through the startup options), so what
// they may do is what the role was granted, whatever the login user may do.
export const API_ROLE = 'casework_api';
export const WORKER_ROLE = 'casework_worker';
export type ProcessRole = typeof API_ROLE | typeof WORKER_ROLE;
