export * from './demo-data';
export * from './keys';
export * from './principal';
export * from './tokens';
export * from './identity-mapping';
