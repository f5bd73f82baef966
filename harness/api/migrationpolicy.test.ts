import { describe, expect, it } from 'vitest';
import { unsimulatedFields } from './simulated.ts';
import { validateObject } from './validateObject.ts';

const policy = (spec: Record<string, unknown>) => ({ apiVersion: 'migrations.kubevirt.io/v1alpha1', kind: 'MigrationPolicy', metadata: { name: 'p' }, spec });

describe('MigrationPolicy admission', () => {
  it('is simulated: selectors and bandwidthPerMigration without warnings; the other knobs are accepted, not simulated', () => {
    const simulated = validateObject(policy({ selectors: { virtualMachineInstanceSelector: { tier: 'db' }, namespaceSelector: {} }, bandwidthPerMigration: '64Ki' }));
    expect(simulated).toMatchObject({ ok: true, simulated: true, warnings: [] });
    expect(simulated.ok && unsimulatedFields(simulated.object)).toEqual([]);
    const r = validateObject(policy({ selectors: {}, allowAutoConverge: true }));
    expect(r).toMatchObject({ ok: true, simulated: true });
    expect(r.ok && unsimulatedFields(r.object)).toEqual(['spec.allowAutoConverge']);
  });

  // KubeVirt pkg/virt-api/webhooks/validating-webhook/admitters/migrationpolicy-admitter.go Admit
  it('refuses a negative bandwidthPerMigration or completionTimeoutPerGiB (migrationpolicy-admitter.go)', () => {
    const r = validateObject(policy({ selectors: {}, bandwidthPerMigration: '-1Mi', completionTimeoutPerGiB: -1 }));
    expect(r.ok ? [] : r.issues).toEqual([
      { path: 'spec.completionTimeoutPerGiB', message: 'must not be negative' },
      { path: 'spec.bandwidthPerMigration', message: 'must not be negative' },
    ]);
  });

  it('maxDowntimeMs and experimental.stallDetector need the MigrationStallDetection gate (Alpha: off by default)', () => {
    const p = policy({ selectors: {}, maxDowntimeMs: 300, experimental: { stallDetector: {} } });
    const r = validateObject(p);
    expect(r.ok ? [] : r.issues).toEqual([
      { path: 'spec.maxDowntimeMs', message: 'maxDowntimeMs cannot be modified without enabling the MigrationStallDetection feature gate' },
      { path: 'spec.experimental.stallDetector', message: 'experimental.stallDetector cannot be modified without enabling the MigrationStallDetection feature gate' },
    ]);
    expect(validateObject(p, { featureGates: { featureGates: ['MigrationStallDetection'] } }).ok).toBe(true);
  });

  it('the CRD requires spec.selectors', () => {
    const r = validateObject(policy({ bandwidthPerMigration: '1Mi' }));
    expect(r.ok ? [] : r.issues.map((i) => i.path)).toEqual(['spec.selectors']);
  });
});
