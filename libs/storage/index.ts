export * from './content-store';
export * from './create-content-store';
export * from './fs-content-store';
export * from './s3-content-store';
