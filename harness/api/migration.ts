/** VirtualMachineInstanceMigration (kubevirt.io/v1). Public. */
import { z } from 'zod';
import { head, subdomainName, typed } from './common.ts';
import type { VirtualMachineInstanceMigration } from './types.ts';

export const migrationSchema = typed<VirtualMachineInstanceMigration>()(
  z.strictObject({ ...head('kubevirt.io/v1', 'VirtualMachineInstanceMigration'), spec: z.strictObject({ vmiName: subdomainName }) }),
);
