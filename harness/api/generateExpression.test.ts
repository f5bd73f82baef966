import { describe, expect, it } from 'vitest';
import { generateValue, mulberry32, parseExpression } from './generateExpression.ts';

function gen(expr: string, seed: number): string {
  const e = parseExpression(expr);
  if (!e.ok) throw new Error(e.message);
  return generateValue(e.atoms, mulberry32(seed));
}

describe('generate: expression (R-I2)', () => {
  it('draws from classes with ranges, literal prefixes and {n} repeats', () => {
    expect(gen('[a-z0-9]{16}', 1)).toMatch(/^[a-z0-9]{16}$/);
    expect(gen('rhel9-[a-z0-9]{16}', 7)).toMatch(/^rhel9-[a-z0-9]{16}$/);
    expect(gen('[A-Z]{3}-[0-9]{2}x', 3)).toMatch(/^[A-Z]{3}-[0-9]{2}x$/);
    expect(gen('[a-c_]{40}', 3)).toMatch(/^[a-c_]{40}$/);
    expect(gen('\\d{5}', 3)).toMatch(/^\d{5}$/);
  });

  it('same seed gives the same value, another seed another value', () => {
    expect(gen('[a-z0-9]{16}', 42)).toBe(gen('[a-z0-9]{16}', 42));
    expect(gen('[a-z0-9]{16}', 42)).not.toBe(gen('[a-z0-9]{16}', 43));
  });

  it('uses the whole alphabet over many draws', () => {
    const s = gen('[a-z0-9]{4000}', 5);
    expect(new Set(s).size).toBe(36);
  });

  it('rejects malformed expressions with a reason', () => {
    for (const bad of ['[a-z', '[]', '[z-a]', '[a]{x}', 'a}']) {
      const e = parseExpression(bad);
      expect(e.ok, bad).toBe(false);
    }
  });
});
