export * from './audit';
export * from './data-source';
export * from './entities';
export * from './seed';
export * from './retention';
export * from './roles';
export * from './tenant-scope';
