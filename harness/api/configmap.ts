/** ConfigMap (core v1). Public. */
import { z } from 'zod';
import { head, stringMap, typed } from './common.ts';
import type { ConfigMap } from './types.ts';

export const configMapSchema = typed<ConfigMap>()(z.strictObject({ ...head('v1', 'ConfigMap'), data: stringMap.optional() }));
