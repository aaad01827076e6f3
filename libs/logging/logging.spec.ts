import { createLogger, escapeLogLine } from './index';

describe('log lines', () => {
  it('escape C1 controls and U+2028/U+2029, keeping the same JSON value', () => {
    const value = { sub: 'a\u009b31m\u0085b\u2028c\u2029d\u007f' };
    const line = escapeLogLine(JSON.stringify(value));
    expect(line).not.toMatch(/[\u007f-\u009f\u2028\u2029]/);
    expect(JSON.parse(line)).toEqual(value);
  });

  it('are one JSON object per line, whatever the fields hold', () => {
    const lines: string[] = [];
    const log = createLogger('test', 'info', { write: (l: string) => void lines.push(l) });
    log.info({ path: '/x\r\n{"level":60}\u001b[2J\u009b31m' }, 'request\r\nforged');
    expect(lines).toHaveLength(1);
    expect(lines[0].trimEnd()).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(JSON.parse(lines[0])).toMatchObject({ path: '/x\r\n{"level":60}\u001b[2J\u009b31m', msg: 'request\r\nforged' });
  });
});
