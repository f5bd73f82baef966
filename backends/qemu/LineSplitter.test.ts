import { describe, expect, it } from 'vitest';
import { LineSplitter } from './LineSplitter.ts';

describe('LineSplitter', () => {
  it('returns complete lines across chunk boundaries and keeps the partial rest', () => {
    const s = new LineSplitter();
    expect(s.push(Buffer.from('{"a":1}\n{"b"')).map(String)).toEqual(['{"a":1}']);
    expect(s.push(Buffer.from(':2}\n\n')).map(String)).toEqual(['{"b":2}', '']);
    expect(s.push(Buffer.from('x'))).toEqual([]);
    s.reset(); // after a resynchronisation the partial line is dropped
    expect(s.push(Buffer.from('y\n')).map(String)).toEqual(['y']);
  });
});
