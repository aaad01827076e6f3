export * from './audit';
export * from './data-source';
export * from './seed';
export * from './retention';
export * from './roles';
export * from './tenant-scope';
export * from './stores/directory.store';
export * from './stores/queryable';
