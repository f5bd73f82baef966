/** DataSource (cdi.kubevirt.io/v1beta1): a named pointer to a golden PVC. Public. */
import { z } from 'zod';
import { head, labelName, subdomainName, typed } from './common.ts';
import type { DataSource } from './types.ts';

export const dataSourceSchema = typed<DataSource>()(
  z.strictObject({
    ...head('cdi.kubevirt.io/v1beta1', 'DataSource'),
    spec: z.strictObject({
      source: z.strictObject({ pvc: z.strictObject({ name: subdomainName, namespace: labelName.optional() }) }),
    }),
  }),
);
