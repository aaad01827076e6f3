import { ConfigError, loadConfig, WorkerConfig } from '.';

describe('WorkerConfig', () => {
  it('defaults: 250 workflows cached, half the workflow-task polls for the shared queue', () => {
    expect(loadConfig(WorkerConfig, {})).toMatchObject({ WORKER_MAX_CACHED_WORKFLOWS: 250, WORKER_NON_STICKY_POLL_PERCENT: 50 });
    expect(loadConfig(WorkerConfig, { WORKER_NON_STICKY_POLL_PERCENT: '80' }).WORKER_NON_STICKY_POLL_PERCENT).toBe(80);
  });

  it.each([
    ['WORKER_NON_STICKY_POLL_PERCENT', '0'],
    ['WORKER_NON_STICKY_POLL_PERCENT', '100'],
    ['WORKER_NON_STICKY_POLL_PERCENT', '0.5'],
    ['WORKER_NON_STICKY_POLL_PERCENT', 'half'],
    ['WORKER_MAX_CACHED_WORKFLOWS', 'lots'],
  ])('refuses %s=%s at start-up, naming it', (name, value) => {
    expect(() => loadConfig(WorkerConfig, { [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig(WorkerConfig, { [name]: value })).toThrow(new RegExp(`^configuration error: ${name} must`));
  });
});
