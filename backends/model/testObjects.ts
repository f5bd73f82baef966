/**
 * Small builders of API objects for the model's and the core's tests and
 * bench. Internal (test support): the manifests under fixtures/ are the
 * public examples.
 */
import type {
  AccessMode,
  Interface,
  NetworkAttachmentDefinition,
  Network,
  Node,
  PersistentVolumeClaim,
  RunStrategy,
  StorageClass,
  VirtualMachine,
  VirtualMachineInstance,
  VirtualMachineInstanceSpec,
  Volume,
  Disk,
} from '../../harness/api/index.ts';

export function node(name: string, capacity: Record<string, string> = { cpu: '8', memory: '16Gi' }, ready = true): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: { capacity, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

export interface VmiSpecOptions {
  memory?: string;
  cpu?: number;
  grace?: number;
  image?: string;
  volumes?: { volume: Volume; disk?: Partial<Disk> }[];
  interfaces?: Interface[];
  networks?: Network[];
  acpi?: boolean;
}

export function vmiSpec(o: VmiSpecOptions = {}): VirtualMachineInstanceSpec {
  const volumes: Volume[] = [{ name: 'root', containerDisk: { image: o.image ?? 'vmconform/guest:latest' } }];
  const disks: Disk[] = [{ name: 'root', disk: { bus: 'virtio' } }];
  for (const v of o.volumes ?? []) {
    volumes.push(v.volume);
    disks.push({ name: v.volume.name, disk: { bus: 'virtio' }, ...v.disk });
  }
  const spec: VirtualMachineInstanceSpec = {
    domain: {
      cpu: { sockets: o.cpu ?? 1, cores: 1, threads: 1 },
      memory: { guest: o.memory ?? '256Mi' },
      devices: { disks, ...(o.interfaces ? { interfaces: o.interfaces } : {}) },
      ...(o.acpi === false ? { features: { acpi: { enabled: false } } } : {}),
    },
    volumes,
    terminationGracePeriodSeconds: o.grace ?? 5,
  };
  if (o.networks) spec.networks = o.networks;
  return spec;
}

export function vm(name: string, strategy: RunStrategy | boolean, o: VmiSpecOptions = {}): VirtualMachine {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name },
    spec: {
      ...(typeof strategy === 'boolean' ? { running: strategy } : { runStrategy: strategy }),
      template: { spec: vmiSpec(o) },
    },
  };
}

export function vmi(name: string, o: VmiSpecOptions = {}): VirtualMachineInstance {
  return { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name }, spec: vmiSpec(o) };
}

export function storageClass(name: string, local: boolean, wffc = false): StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name },
    provisioner: local ? 'vmconform.io/local' : 'vmconform.io/shared',
    volumeBindingMode: wffc ? 'WaitForFirstConsumer' : 'Immediate',
  };
}

export function pvc(name: string, sc: string, mode: AccessMode = 'ReadWriteOnce', size = '1Gi'): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name },
    spec: { accessModes: [mode], resources: { requests: { storage: size } }, storageClassName: sc },
  };
}

export function bridgeNad(name: string, range?: string): NetworkAttachmentDefinition {
  return {
    apiVersion: 'k8s.cni.cncf.io/v1',
    kind: 'NetworkAttachmentDefinition',
    metadata: { name },
    spec: { config: JSON.stringify({ cniVersion: '0.3.1', type: 'bridge', bridge: `br-${name}`, ...(range ? { ipam: { type: 'host-local', ranges: [[{ subnet: range }]] } } : {}) }) },
  };
}

export function sriovNad(name: string, resource: string): NetworkAttachmentDefinition {
  return {
    apiVersion: 'k8s.cni.cncf.io/v1',
    kind: 'NetworkAttachmentDefinition',
    metadata: { name, annotations: { 'k8s.v1.cni.cncf.io/resourceName': resource } },
    spec: { config: JSON.stringify({ cniVersion: '0.3.1', type: 'sriov' }) },
  };
}
