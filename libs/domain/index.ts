export * from './allegation';
export * from './bank-holidays';
export * from './canonical-json';
export * from './deadlines';
export * from './duration';
export * from './london-time';
export * from './policy';
export * from './statutory-clock';
