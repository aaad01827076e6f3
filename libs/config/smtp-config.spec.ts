import { createSmtpMailer, smtpTarget } from '@libs/mail';
import { ConfigError, loadConfig, SmtpConfig } from '.';

describe('SmtpConfig', () => {
  it('leaves email off when SMTP_URL is unset or empty, with a default sender', () => {
    for (const env of [{}, { SMTP_URL: '' }]) {
      const config = loadConfig(SmtpConfig, env);
      expect(config.SMTP_URL).toBeUndefined();
      expect(config.SMTP_FROM).toBe('Election casework <casework@localhost>');
      expect(createSmtpMailer(config)).toBeNull();
    }
  });

  it('accepts smtp:// and smtps:// URLs, with or without credentials', () => {
    for (const url of [
      'smtp://mail.example.org',
      'smtp://127.0.0.1:2525',
      'smtps://user:p%40ss%2Fword@mail.example.org:465',
      'smtp://relay.internal:587?requireTLS=true',
    ]) {
      expect(loadConfig(SmtpConfig, { SMTP_URL: url }).SMTP_URL).toBe(url);
    }
    expect(loadConfig(SmtpConfig, { SMTP_URL: 'smtp://a@b', SMTP_FROM: 'casework@example.gov.uk' }).SMTP_FROM).toBe('casework@example.gov.uk');
  });

  it.each([
    ['a password with an unencoded slash', 'smtp://casework:hunter2/x@mail.example.org:587'],
    ['no host', 'smtp://casework:hunter2@'],
    ['a port out of range', 'smtp://casework:hunter2@mail.example.org:99999'],
    ['another scheme', 'https://casework:hunter2@mail.example.org'],
    ['no scheme', 'casework:hunter2@mail.example.org:587'],
  ])('refuses a malformed SMTP_URL (%s) in one line that names it and hides the password', (_, url) => {
    let error: unknown;
    try {
      loadConfig(SmtpConfig, { SMTP_URL: url });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/^configuration error: SMTP_URL must be a URL like smtp:\/\/user:password@host:587/);
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('\n');
  });

  it('refuses a sender that is not an address', () => {
    expect(() => loadConfig(SmtpConfig, { SMTP_FROM: 'Election casework' })).toThrow(
      'configuration error: SMTP_FROM must be an address like "Election casework <casework@example.gov.uk>"',
    );
  });

  it('logs where mail goes as host:port only', () => {
    expect(smtpTarget('smtp://casework:hunter2@mail.example.org:2525')).toBe('mail.example.org:2525');
    expect(smtpTarget('smtp://casework:hunter2@mail.example.org')).toBe('mail.example.org:587');
    expect(smtpTarget('smtps://mail.example.org')).toBe('mail.example.org:465');
  });
});
