export * from './ports';
export * from './postgres';
export * from './temporal-cli';
export * from './temporal-server';
export * from './database-url';
export * from './services';
export * from './temporal-server-postgres';
