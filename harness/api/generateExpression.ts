/**
 * OpenShift template `generate: expression` values: `[a-z0-9]{16}`,
 * `rhel9-[a-z0-9]{16}`, `\w{8}` — character classes of ranges and literal
 * characters, literal text, `{n}` repeats, `\w \d \a \A` shorthands —
 * drawn from a seeded generator so the same seed gives the same values. Public.
 */

/** One position of the pattern: its alphabet and how many characters to draw from it. */
interface Atom {
  chars: string;
  count: number;
}

export type ParsedExpression = { ok: true; atoms: Atom[] } | { ok: false; message: string };

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const DIGIT = '0123456789';
/** OpenShift's shorthands (openshift/library-go generator/expressionvalue.go). */
const SHORTHAND: Record<string, string> = { w: `${LOWER}${UPPER}${DIGIT}_`, d: DIGIT, a: `${LOWER}${UPPER}${DIGIT}`, A: `${LOWER}${UPPER}` };

function range(from: string, to: string): string {
  let s = '';
  for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c++) s += String.fromCharCode(c);
  return s;
}

/** Parses a `from` expression; errors name the offending position. Public. */
export function parseExpression(expr: string): ParsedExpression {
  const atoms: Atom[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    let chars: string;
    if (c === '[') {
      const end = expr.indexOf(']', i + 1);
      if (end < 0) return { ok: false, message: `unterminated character class at ${i} in "${expr}"` };
      chars = '';
      for (let j = i + 1; j < end; j++) {
        const a = expr[j]!;
        if (a === '\\' && j + 1 < end && SHORTHAND[expr[j + 1]!] !== undefined) {
          chars += SHORTHAND[expr[++j]!];
        } else if (expr[j + 1] === '-' && j + 2 < end) {
          const b = expr[j + 2]!;
          if (b < a) return { ok: false, message: `bad range ${a}-${b} in "${expr}"` };
          chars += range(a, b);
          j += 2;
        } else chars += a;
      }
      if (chars === '') return { ok: false, message: `empty character class at ${i} in "${expr}"` };
      i = end + 1;
    } else if (c === '\\' && i + 1 < expr.length) {
      const n = expr[i + 1]!;
      chars = SHORTHAND[n] ?? n;
      i += 2;
    } else if (c === '{' || c === '}' || c === ']') {
      return { ok: false, message: `unexpected "${c}" at ${i} in "${expr}"` };
    } else {
      chars = c;
      i++;
    }
    let count = 1;
    if (expr[i] === '{') {
      const m = /^\{(\d+)\}/.exec(expr.slice(i));
      if (!m) return { ok: false, message: `bad repeat at ${i} in "${expr}": expected {n}` };
      count = Number(m[1]);
      i += m[0].length;
    }
    atoms.push({ chars, count });
  }
  return { ok: true, atoms };
}

/** mulberry32: a small, fast, seedable PRNG returning [0, 1). Public. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws one value of a parsed expression. Public. */
export function generateValue(atoms: readonly Atom[], random: () => number): string {
  let s = '';
  for (const a of atoms) for (let k = 0; k < a.count; k++) s += a.chars[Math.floor(random() * a.chars.length)];
  return s;
}
