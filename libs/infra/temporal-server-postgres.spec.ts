// The pure parts of server mode: TEMPORAL_MODE is checked, Temporal's databases take the
// casework URL's server and login (percent-encoded passwords included), and the nine ports are
// distinct and below 32768 (the server stores them in a smallint and exits on a larger one).
// The server itself is exercised by TEMPORAL_MODE=server npm start and test/faults/scale-out.
import { pickTemporalServerPorts, temporalDatabasesFor, temporalMode } from './temporal-server-postgres';

describe('server mode settings', () => {
  it('TEMPORAL_MODE is dev by default, server when asked, and anything else is refused by name', () => {
    expect(temporalMode({})).toBe('dev');
    expect(temporalMode({ TEMPORAL_MODE: 'server' })).toBe('server');
    expect(() => temporalMode({ TEMPORAL_MODE: 'prod' })).toThrow('TEMPORAL_MODE must be dev or server, not "prod"');
  });

  it("Temporal's databases live on the casework database's server, with its login", () => {
    expect(temporalDatabasesFor('postgres://case%40work:p%3Ass%2Fw@db.example:6543/casework?sslmode=disable', {})).toEqual({
      host: 'db.example',
      port: 6543,
      user: 'case@work',
      password: 'p:ss/w',
      database: 'temporal',
      visibility: 'temporal_visibility',
    });
    expect(temporalDatabasesFor('postgres://u@localhost/x', { TEMPORAL_SERVER_DB: 't1', TEMPORAL_SERVER_VISIBILITY_DB: 'v1' })).toMatchObject({
      port: 5432,
      password: '',
      database: 't1',
      visibility: 'v1',
    });
  });

  it('picks nine distinct ports below 32768, keeping a preferred frontend port', async () => {
    const ports = Object.values(await pickTemporalServerPorts(7233));
    expect(new Set(ports).size).toBe(9);
    expect(ports[0]).toBe(7233);
    for (const port of ports) expect(port).toBeLessThan(32_768);
  });
});
