/** What a store runs its SQL on: a DataSource, a transaction's EntityManager or a QueryRunner. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<any>;
}
