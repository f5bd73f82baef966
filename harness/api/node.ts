/** Node (core v1): the capacity and readiness the harness declares. Public. */
import { z } from 'zod';
import { head, nonNegativeQuantity, typed } from './common.ts';
import type { Node } from './types.ts';

export const nodeSchema = typed<Node>()(
  z.strictObject({
    ...head('v1', 'Node'),
    status: z.strictObject({
      capacity: z.record(z.string(), nonNegativeQuantity),
      conditions: z.array(z.strictObject({ type: z.literal('Ready'), status: z.enum(['True', 'False']) })).optional(),
    }),
  }),
);
