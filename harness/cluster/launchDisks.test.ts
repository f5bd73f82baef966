import { describe, expect, it } from 'vitest';
import type { VirtualMachineInstanceSpec } from '../api/types.ts';
import { firmwareUuid, launchDisks, type DiskLookups } from './launchDisks.ts';

const lookups: DiskLookups = {
  pvc: (c) => (c === 'data' ? { storage: 'local', node: 'n1', sizeBytes: 1024 } : undefined),
  configMap: (n) => (n === 'cfg' ? { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { 'app.conf': 'x=1' } } : undefined),
  secret: (n) => (n === 'sec' ? { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec' }, data: { pw: Buffer.from('hunter2').toString('base64') } } : undefined),
};

const spec: VirtualMachineInstanceSpec = {
  domain: {
    devices: {
      disks: [
        { name: 'root', disk: { bus: 'virtio' }, bootOrder: 1 },
        { name: 'data', disk: {}, serial: 'DATA' },
        { name: 'scratch', disk: { bus: 'scsi' } },
        { name: 'iso', cdrom: {} },
        { name: 'ci', disk: {} },
        { name: 'cfg', disk: {}, serial: 'CFG' },
        { name: 'sec', disk: {} },
        { name: 'orphan', disk: {} },
      ],
    },
  },
  volumes: [
    { name: 'root', containerDisk: { image: 'vmconform/guest' } },
    { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
    { name: 'scratch', emptyDisk: { capacity: '1Mi' } },
    { name: 'iso', containerDisk: { image: 'vmconform/guest-iso:latest' } },
    { name: 'ci', cloudInitNoCloud: { userDataBase64: Buffer.from('#cloud-config\n').toString('base64') } },
    { name: 'cfg', configMap: { name: 'cfg' } },
    { name: 'sec', secret: { secretName: 'sec', volumeLabel: 'secrets' } },
  ],
};

describe('launchDisks (R-S1..R-S6)', () => {
  const disks = launchDisks(spec, { name: 'v', hostname: 'v-host' }, lookups);
  const by = Object.fromEntries(disks.map((d) => [d.name, d]));

  it('keeps spec order, skips disks without a volume, keeps serial and bootOrder', () => {
    expect(disks.map((d) => d.name)).toEqual(['root', 'data', 'scratch', 'iso', 'ci', 'cfg', 'sec']);
    expect([by.root!.bootOrder, by.data!.serial, by.root!.serial]).toEqual([1, 'DATA', null]);
  });

  it('resolves sources: catalogue image, PVC with node, emptyDisk size', () => {
    expect(by.root!.source).toEqual({ kind: 'containerDisk', image: 'vmconform/guest:latest', format: 'qcow2' });
    expect(by.data!.source).toEqual({ kind: 'pvc', claim: 'data', storage: 'local', node: 'n1', sizeBytes: 1024 });
    expect(by.scratch).toMatchObject({ bus: 'scsi', readonly: false, source: { kind: 'emptyDisk', sizeBytes: 1024 * 1024 } });
  });

  // KubeVirt pkg/cloud-init/cloud-init.go readCloudInitNoCloudMetaData (instance-id: the firmware UUID) and
  // pkg/virt-controller/watch/vm/firmware.go CalculateLegacyUUID (SHA-1 UUID of the VM name); the expected value is
  // uuid5(6a1a24a1-4061-4607-8bf4-a3963d0c5895, "v"), as Go's uuid.NewSHA1 computes it
  it('cloud-init instance ids: NoCloud instance-id is the firmware UUID (KubeVirt\'s name-based one when unset)', () => {
    expect(firmwareUuid('v')).toBe('96e9a265-311a-5ace-aabe-7b17507652a9');
  });

  it('cdroms are read-only on sata; config volumes are read-only ISOs with their labels (R-S5)', () => {
    expect(by.iso).toMatchObject({ cdrom: true, readonly: true, bus: 'sata' });
    expect(by.ci!.source).toEqual({
      kind: 'configIso',
      label: 'cidata',
      files: { 'user-data': '#cloud-config\n', 'meta-data': 'instance-id: 96e9a265-311a-5ace-aabe-7b17507652a9\nlocal-hostname: v-host\n' },
    });
    expect(by.cfg).toMatchObject({ readonly: true, source: { kind: 'configIso', label: 'cfgdata', files: { 'app.conf': 'x=1' } } });
    expect(by.sec!.source).toEqual({ kind: 'configIso', label: 'secrets', files: { pw: 'hunter2' } });
  });
  // KubeVirt pkg/config/service-account.go CreateServiceAccountDisk: the files of the launcher pod's
  // /var/run/secrets/kubernetes.io/serviceaccount (token, namespace, ca.crt) in an ISO whose label is empty, which
  // pkg/config/config.go defaultCreateIsoImage turns into `cfgdata`
  it('a serviceAccount volume is a cfgdata ISO with the account\'s token, namespace and ca.crt (R-S5)', () => {
    const [sa] = launchDisks(
      { domain: { devices: { disks: [{ name: 'sa', disk: {}, serial: 'SA' }] } }, volumes: [{ name: 'sa', serviceAccount: { serviceAccountName: 'builder' } }] },
      { name: 'v', hostname: 'v' },
      lookups,
    );
    expect(sa).toMatchObject({ readonly: true, serial: 'SA', source: { kind: 'configIso', label: 'cfgdata' } });
    const files = (sa!.source as { files: Record<string, string> }).files;
    expect(Object.keys(files).sort()).toEqual(['ca.crt', 'namespace', 'token']);
    expect(files['namespace']).toBe('default');
    const [header, claims, signature] = files['token']!.split('.');
    expect(JSON.parse(Buffer.from(claims!, 'base64url').toString())).toMatchObject({ sub: 'system:serviceaccount:default:builder' });
    expect([JSON.parse(Buffer.from(header!, 'base64url').toString()).alg, signature]).toEqual(['none', '']);
    // the same account gives the same token at every start (no secret, no clock)
    expect(launchDisks({ domain: { devices: { disks: [{ name: 'sa', disk: {} }] } }, volumes: [{ name: 'sa', serviceAccount: { serviceAccountName: 'builder' } }] }, { name: 'w', hostname: 'w' }, lookups)[0]!.source).toEqual(sa!.source);
  });
});
