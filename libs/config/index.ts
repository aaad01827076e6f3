export * from './configs';
export * from './load';
export * from './temporal-tls';
