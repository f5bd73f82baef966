/**
 * Kubernetes resource quantities (`512Mi`, `1Gi`, `2`, `500m`, `1e3`).
 * Public: used by validation, the model and the qemu backend.
 */

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

/** Parses a quantity to a number (bytes for memory, cores for cpu); undefined if malformed. */
export function parseQuantity(q: string | number): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined;
  const m = QUANTITY.exec(q.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  if (m[3] !== undefined) return base * 10 ** Number(m[3]);
  const suffix = m[2] ?? '';
  return base * (BINARY[suffix] ?? DECIMAL[suffix] ?? 1);
}

/** True when `q` is a well-formed quantity string. */
export function isQuantity(q: string): boolean {
  return parseQuantity(q) !== undefined;
}

/** Memory quantity in whole MiB (rounded up). */
export function toMiB(q: string): number {
  const bytes = parseQuantity(q);
  if (bytes === undefined) throw new RangeError(`not a quantity: ${q}`);
  return Math.ceil(bytes / 2 ** 20);
}
