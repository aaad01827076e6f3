import { Foundation1763888400000 } from './1763888400000-Foundation';

/** Every migration, in order. New ones are appended here. */
export const MIGRATIONS = [Foundation1763888400000];
