import { describe, expect, it } from 'vitest';
import { renderValue } from './field-path.js';

describe('renderValue', () => {
  it('renders what JSON.stringify would, cut at 80 characters', () => {
    const value = { b: [1, 'x', null, true, undefined], a: { c: 2n }, skipped: undefined };
    expect(renderValue(value)).toBe('{"b":[1,"x",null,true,null],"a":{"c":2}}');
    const long = { list: Array.from({ length: 100 }, (_, i) => i) };
    expect(renderValue(long)).toBe(JSON.stringify(long).slice(0, 79) + '…');
  });

  it('renders a value nested 100,000 levels deep without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(renderValue(deep)).toBe('{"a":'.repeat(16).slice(0, 79) + '…');
  });
});
