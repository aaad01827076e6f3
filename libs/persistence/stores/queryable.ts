/** What a store runs its SQL on: a DataSource, a transaction's EntityManager or a QueryRunner. */
export interface Queryable {
  // `any` as TypeORM's own query() answers: each store names its rows' type where it reads them
  // (`const rows: Row[] = await db.query(...)`), which `unknown` would not allow.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query(sql: string, parameters?: unknown[]): Promise<any>;
}
