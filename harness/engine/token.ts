/**
 * The replay token (docs/architecture.md §4). Public: printed with
 * every failure and accepted by `vmconform replay --token`.
 *
 * One opaque string, `vmc1.<base64url JSON>`, holding what reproduces a
 * counterexample exactly: the suite (name + hash of its content), the
 * fast-check seed and path, the commands' replay path (the resolved choices,
 * checked on replay so that generator drift is reported rather than silently
 * replaying something else), the generator version, and the backends'
 * fingerprints (QEMU version, machine type, guest image digest).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { BackendFingerprint } from '../../backends/contract.ts';
import type { Choice } from './catalogue.ts';
import type { Suite } from './suite.ts';

const PREFIX = 'vmc1.';

const tokenSchema = z.strictObject({
  generator: z.number().int(),
  suite: z.string(),
  suiteHash: z.string(),
  property: z.string(),
  maxSteps: z.number().int().positive(),
  seed: z.number().int(),
  path: z.string(),
  choices: z.array(z.tuple([z.number().int(), z.number().int()])),
  fingerprints: z.array(z.looseObject({ backend: z.string() })),
});

/** What a token holds. Public. */
export interface ReplayToken {
  generator: number;
  suite: string;
  suiteHash: string;
  property: string;
  /** --max-steps of the run (part of what the arbitrary generates). */
  maxSteps: number;
  seed: number;
  path: string;
  choices: Choice[];
  fingerprints: BackendFingerprint[];
}

/** Short content hash of a suite: a token replays only against the suite it came from. Public. */
export function suiteHash(suite: Suite): string {
  return createHash('sha256').update(JSON.stringify(suite)).digest('hex').slice(0, 12);
}

export function encodeToken(t: ReplayToken): string {
  return PREFIX + Buffer.from(JSON.stringify(t), 'utf8').toString('base64url');
}

/** Decodes a token; an error message (not an exception) when it is not one. Public. */
export function decodeToken(text: string): { ok: true; token: ReplayToken } | { ok: false; message: string } {
  if (!text.startsWith(PREFIX)) return { ok: false, message: `not a vmconform replay token (expected it to start with '${PREFIX}')` };
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(text.slice(PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    return { ok: false, message: 'replay token is damaged (not base64url JSON)' };
  }
  const r = tokenSchema.safeParse(raw);
  if (!r.success) return { ok: false, message: `replay token is damaged: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
  return { ok: true, token: r.data as ReplayToken };
}
