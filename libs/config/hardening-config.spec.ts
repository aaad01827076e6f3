import { ApiConfig, ConfigError, loadConfig } from '.';

describe('ApiConfig hardening settings', () => {
  it('defaults: generous rate limits, a 4 KiB URL, 8 KiB of headers', () => {
    expect(loadConfig(ApiConfig, {})).toMatchObject({
      RATE_LIMIT_PER_USER: 30_000,
      RATE_LIMIT_PER_IP: 3_000,
      RATE_LIMIT_WINDOW_MS: 60_000,
      MAX_URL_BYTES: 4_096,
      MAX_HEADER_BYTES: 8_192,
    });
    expect(loadConfig(ApiConfig, { RATE_LIMIT_PER_USER: '0', RATE_LIMIT_PER_IP: '10' })).toMatchObject({ RATE_LIMIT_PER_USER: 0, RATE_LIMIT_PER_IP: 10 });
  });

  it.each([
    ['RATE_LIMIT_PER_USER', '-1'],
    ['RATE_LIMIT_PER_IP', 'lots'],
    ['RATE_LIMIT_WINDOW_MS', '10'],
    ['MAX_URL_BYTES', '100'],
    ['MAX_HEADER_BYTES', '65536'],
  ])('refuses %s=%s at start-up, naming it', (name, value) => {
    expect(() => loadConfig(ApiConfig, { [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig(ApiConfig, { [name]: value })).toThrow(new RegExp(`^configuration error: ${name} `));
  });
});
