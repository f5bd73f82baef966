/** Secret (core v1); `data` values must be base64. Public. */
import { z } from 'zod';
import { head, stringMap, typed } from './common.ts';
import type { Secret } from './types.ts';

export const secretSchema = typed<Secret>()(
  z.strictObject({
    ...head('v1', 'Secret'),
    type: z.string().optional(),
    data: z.record(z.string(), z.base64({ error: 'illegal base64 data' })).optional(),
    stringData: stringMap.optional(),
  }),
);
