export * from './content-store';
export * from './fs-content-store';
