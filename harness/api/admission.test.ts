/**
 * Admission and structural rules one by one, each with the KubeVirt (or
 * apiserver) source it follows; the corpus (test/api/corpus.test.ts) checks
 * them on real manifests.
 */
import { describe, expect, it } from 'vitest';
import { baseVm } from './testObjects.ts';
import { validateObject } from './validateObject.ts';
import type { AdmissionContext } from './admission.ts';

type Loose = Record<string, unknown>;

/** A standalone VMI from the base VM's template, with `edit` applied to its spec (test helper). */
function vmi(edit: (spec: Loose & { domain: Loose & { devices: Loose } }) => void, metadata: Loose = {}): Loose {
  const spec = structuredClone(baseVm().spec.template.spec) as unknown as Loose & { domain: Loose & { devices: Loose } };
  edit(spec);
  return { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'v', ...metadata }, spec };
}

function issues(o: unknown, ctx?: AdmissionContext) {
  const r = validateObject(o, ctx);
  return r.ok ? [] : r.issues;
}

describe('VMI create admission (vmi-create-admitter.go)', () => {
  it('validateDomainSpec: EFI SecureBoot (the default with EFI) needs SMM', () => {
    const efi = vmi((s) => (s.domain.firmware = { bootloader: { efi: {} } }));
    expect(issues(efi)).toEqual([{ path: 'spec.domain', message: 'spec.domain has EFI SecureBoot enabled. SecureBoot requires SMM, which is currently disabled.' }]);
    expect(issues(vmi((s) => ((s.domain.firmware = { bootloader: { efi: {} } }), (s.domain.features = { smm: {} }))))).toEqual([]);
    expect(issues(vmi((s) => (s.domain.firmware = { bootloader: { efi: { secureBoot: false } } })))).toEqual([]);
  });

  it('validateCPUIsolatorThread: isolateEmulatorThread needs dedicatedCpuPlacement', () => {
    expect(issues(vmi((s) => (s.domain.cpu = { cores: 1, isolateEmulatorThread: true })))).toEqual([
      { path: 'spec.domain.cpu.isolateEmulatorThread', message: 'IsolateEmulatorThread should be only set in combination with DedicatedCPUPlacement' },
    ]);
  });

  it('validateMemoryRequestsNegativeOrNull / validateMemoryLimitsNegativeOrNull / validateCPURequestNotNegative', () => {
    expect(issues(vmi((s) => (s.domain.resources = { requests: { memory: '100k' } })))).toEqual([
      { path: 'spec.domain.resources.requests.memory', message: "spec.domain.resources.requests.memory '100k': must be greater than or equal to 1M." },
    ]);
    expect(issues(vmi((s) => (s.domain.resources = { requests: { memory: '2Gi' }, limits: { memory: '1Gi' } })))).toEqual([
      { path: 'spec.domain.resources.requests.memory', message: "spec.domain.resources.requests.memory '2Gi' is greater than spec.domain.resources.limits.memory '1Gi'" },
    ]);
    expect(issues(vmi((s) => (s.domain.resources = { requests: { cpu: '-1' } })))).toEqual([
      { path: 'spec.domain.resources.requests.cpu', message: "spec.domain.resources.requests.cpu '-1': must be greater than or equal to 0." },
    ]);
  });

  it('ValidateVirtualMachineInstancePerArch: an unknown architecture', () => {
    expect(issues(vmi((s) => (s.architecture = 'riscv64')))).toEqual([{ path: 'spec.architecture', message: 'unsupported architecture: riscv64' }]);
    expect(issues(vmi((s) => (s.architecture = 'arm64')))).toEqual([]);
  });

  it('pkg/network/admitter discontinued.go: slirp is gone; binding.go: one binding', () => {
    const r = issues(vmi((s) => (s.domain.devices.interfaces = [{ name: 'default', slirp: {} }])));
    expect(r).toEqual([
      { path: 'spec.domain.devices.interfaces[0].slirp', message: 'Slirp interface support has been discontinued since v1.3' },
      { path: 'spec.domain.devices.interfaces[0]', message: 'logical default interface must have exactly one binding method or binding plugin' },
    ]);
  });

  it('pkg/storage/admitters/disks.go: an unknown bus', () => {
    const r = issues(vmi((s) => (s.domain.devices.disks = [{ name: 'rootdisk', disk: { bus: 'ide' } }])));
    expect(r).toEqual([{ path: 'spec.domain.devices.disks[0]', message: 'spec.domain.devices.disks[0] is set with an unrecognized bus ide, must be one of: [virtio scsi sata usb]' }]);
  });

  it('feature gates: VSOCK, DownwardMetrics and the Ignition annotation are Alpha', () => {
    expect(issues(vmi((s) => (s.domain.devices.autoattachVSOCK = true)))).toEqual([
      { path: 'spec.domain.devices.autoattachVSOCK', message: 'VSOCK feature gate is not enabled in kubevirt-config' },
    ]);
    const dm = vmi((s) => ((s.volumes as unknown[]).push({ name: 'metrics', downwardMetrics: {} }), (s.domain.devices.disks as unknown[]).push({ name: 'metrics', disk: {} })));
    expect(issues(dm).map((i) => i.message)).toEqual(['downwardMetrics disks are not allowed: DownwardMetrics feature gate is not enabled.']);
    expect(issues(dm, { featureGates: { featureGates: ['DownwardMetrics'] } })).toEqual([]);
    const ign = vmi(() => {}, { annotations: { 'kubevirt.io/ignitiondata': '{}' } });
    expect(issues(ign)[0]!.message).toBe('ExperimentalIgnitionSupport feature gate is not enabled in kubevirt-config, invalid entry metadata.annotations.kubevirt.io/ignitiondata');
  });
});

describe('migration create admission (migration-create-admitter.go)', () => {
  const mig = (spec: Loose) => ({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration', metadata: { name: 'm' }, spec });
  const lookup = (kind: string, name: string) => (kind === 'VirtualMachineInstance' && name === 'v' ? {} : undefined);

  it('vmiName is required; priority is virt-controller’s; the VMI must exist when admission can look it up', () => {
    expect(issues(mig({}))).toEqual([{ path: 'spec.vmiName', message: 'vmiName is missing' }]);
    expect(issues(mig({ vmiName: 'v', priority: 'high' }))[0]!.message).toBe('Migration priority queue, only virt-controller is allowed to set priority field');
    expect(issues(mig({ vmiName: 'x' }), { lookup })).toEqual([{ path: '', message: 'the VMI "default/x" does not exist' }]);
    expect(issues(mig({ vmiName: 'v' }), { lookup })).toEqual([]);
    // Without a look-up (an object applied to a running cluster) the cluster answers.
    expect(issues(mig({ vmiName: 'x' }))).toEqual([]);
  });
});

describe('structural schema (apiextensions-apiserver)', () => {
  it('a null non-nullable field is pruned: `disk:` with no value is an absent target, defaulted to a disk', () => {
    const o = vmi((s) => (s.domain.devices.disks = [{ name: 'rootdisk', disk: null }]));
    const r = validateObject(o);
    expect(r.ok).toBe(true);
    expect(r.ok && (r.object as unknown as { spec: { domain: { devices: { disks: unknown[] } } } }).spec.domain.devices.disks).toEqual([{ name: 'rootdisk' }]);
  });

  it('a quantity given as a number becomes its string (resource.Quantity marshals as a string)', () => {
    const r = validateObject(vmi((s) => (s.domain.resources = { requests: { cpu: 1 } })));
    expect(r.ok && (r.object as unknown as { spec: { domain: { resources: { requests: { cpu: unknown } } } } }).spec.domain.resources.requests.cpu).toBe('1');
  });

  it('x-kubernetes-list-type map refuses duplicate keys; a CEL rule of the CRD is evaluated', () => {
    const claims = vmi((s) => (s.resourceClaims = [{ name: 'a' }, { name: 'a' }]));
    expect(issues(claims)).toEqual([{ path: 'spec.resourceClaims[1]', message: 'Duplicate value: {"name":"a"}' }]);
    const cp = vmi((s) => (s.volumes as unknown[]).push({ name: 'cp', containerPath: { path: 'relative' } }));
    expect(issues(cp)[0]).toEqual({ path: 'spec.volumes[1].containerPath.path', message: `Invalid value: "relative": path must be absolute (start with '/')` });
  });

  it('metadata is ObjectMeta: strict, creationTimestamp null dropped, name a DNS subdomain', () => {
    expect(issues({ ...vmi(() => {}), metadata: { name: 'v', creationTimestamp: null } })).toEqual([]);
    expect(issues({ ...vmi(() => {}), metadata: { name: 'v', labelz: {} } })).toEqual([{ path: 'metadata.labelz', message: 'unknown field "metadata.labelz"' }]);
    expect(issues({ ...vmi(() => {}), metadata: {} })).toEqual([{ path: 'metadata.name', message: 'Required value: name or generateName is required' }]);
    // ValidateLabels: a qualified name and a label value.
    const bad = issues({ ...vmi(() => {}), metadata: { name: 'v', labels: { 'app/x/y': 'ok', app: 'a b' } } });
    expect(bad.map((i) => i.message.slice(0, 40))).toEqual(['Invalid value: "app/x/y": prefix part a ', 'Invalid value: "a b": a valid label must']);
  });

  it('kinds served but not simulated are accepted and marked so; an unserved version is not found', () => {
    const preset = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstancePreset', metadata: { name: 'p' }, spec: { selector: {} } };
    expect(validateObject(preset)).toMatchObject({ ok: true, simulated: false, warnings: ['kubevirt.io/v1 VirtualMachineInstancePresets is now deprecated and will be removed in v2.'] });
    const pool = { apiVersion: 'pool.kubevirt.io/v1alpha1', kind: 'VirtualMachinePool', metadata: { name: 'p' }, spec: { selector: {}, virtualMachineTemplate: { spec: baseVm().spec } } };
    expect(validateObject(pool)).toMatchObject({ ok: true, object: { apiVersion: 'pool.kubevirt.io/v1beta1' } });
    expect(issues({ ...pool, apiVersion: 'pool.kubevirt.io/v1' })).toEqual([{ path: 'apiVersion', message: 'no matches for kind "VirtualMachinePool" in version "pool.kubevirt.io/v1"' }]);
  });
});
