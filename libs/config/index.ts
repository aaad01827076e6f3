export * from './configs';
export * from './load';
