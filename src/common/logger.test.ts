import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger, printable } from './logger.js';

function capture(): { stream: Writable & { isTTY?: boolean }; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += chunk;
      done();
    },
  });
  return { stream, text: () => text };
}

describe('terminal output of text that came from the input', () => {
  it('shows control characters as escapes: colours, screen clear, OSC 8 links, window titles and BEL cannot act', () => {
    const hostile = 'pod \u001b[31mred\u001b[0m \u001b[2J \u001b]8;;https://evil.example\u0007link\u001b]8;;\u0007 \u001b]0;title\u0007 \u009b1m';
    const out = printable(hostile);
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(out).toBe('pod \\x1b[31mred\\x1b[0m \\x1b[2J \\x1b]8;;https://evil.example\\x07link\\x1b]8;;\\x07 \\x1b]0;title\\x07 \\x9b1m');
    expect(printable('tab\tand\nnewline stay')).toBe('tab\tand\nnewline stay');
  });

  it('every logger level prints the message as text; only the logger adds colour', () => {
    const { stream, text } = capture();
    stream.isTTY = true;
    const saved = { NO_COLOR: process.env.NO_COLOR, FORCE_COLOR: process.env.FORCE_COLOR };
    delete process.env.NO_COLOR;
    process.env.FORCE_COLOR = '1';
    try {
      const log = createLogger({ stream, debug: true });
      log.info('name \u001b[2J', 'health');
      log.warn('file \u001b]0;x\u0007');
      log.progress('ns \u0007');
      log.debug('dbg \u001b[1m');
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
    const printed = text();
    expect(printed).toContain('name \\x1b[2J');
    expect(printed).toContain('file \\x1b]0;x\\x07');
    expect(printed).toContain('ns \\x07');
    expect(printed).toContain('dbg \\x1b[1m');
    // The label is bold (the logger's own escape sequences are still there)
    expect(printed).toContain('\u001b[1mhealth\u001b[22m');
  });
});
