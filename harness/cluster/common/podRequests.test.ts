/**
 * R-SC1: a launcher pod's requests as KubeVirt renders them
 * (pkg/virt-controller/services/renderresources.go `WithoutDedicatedCPU`,
 * `WithMemoryRequests`, `WithMemoryOverhead`; pkg/hypervisor/kvm/
 * hypervisorbackend.go `GetMemoryOverhead`; serialconsolelog.go;
 * pkg/container-disk `getMinimalInitContainerDiskResources`).
 */
import { describe, expect, it } from 'vitest';
import type { VirtualMachineInstanceSpec } from '../../api/index.ts';
import { launcherPodRequests, memoryOverheadBytes } from './podRequests.ts';

const Mi = 1024 * 1024;
const Gi = 1024 * Mi;

/** A containerDisk VMI spec (one image container), `vcpus` as sockets. */
function spec(o: { vcpus?: number; guest?: string; requests?: Record<string, string>; limits?: Record<string, string>; sriov?: boolean; devices?: object } = {}): VirtualMachineInstanceSpec {
  return {
    domain: {
      cpu: { sockets: o.vcpus ?? 1, cores: 1, threads: 1 },
      ...(o.guest ? { memory: { guest: o.guest } } : {}),
      ...(o.requests || o.limits ? { resources: { ...(o.requests ? { requests: o.requests } : {}), ...(o.limits ? { limits: o.limits } : {}) } } : {}),
      devices: { disks: [{ name: 'root', disk: { bus: 'virtio' } }], ...(o.sriov ? { interfaces: [{ name: 'vf', sriov: {} }] } : {}), ...o.devices },
    },
    volumes: [{ name: 'root', containerDisk: { image: 'vmconform/guest:latest' } }],
  } as VirtualMachineInstanceSpec;
}

/** 240Mi of launcher processes, 8Mi for the IO thread, 32Mi of video RAM. */
const FIXED = (240 + 8 + 32) * Mi;
/** guest-console-log (5m, 35M) and one containerDisk container (1m, 1M). */
const SIDE = { cpuMilli: 5 + 1, memBytes: 35_000_000 + 1_000_000 };

describe('R-SC1 launcher pod requests', () => {
  it('cpu: a tenth of a node cpu per vCPU (cpuAllocationRatio 10), not one cpu per vCPU', () => {
    expect(launcherPodRequests(spec({ vcpus: 4, guest: '1Gi' })).cpuMilli).toBe(400 + SIDE.cpuMilli);
    expect(launcherPodRequests(spec({ vcpus: 4, guest: '1Gi' }), 1).cpuMilli).toBe(4000 + SIDE.cpuMilli);
  });

  it('cpu: a request (or a limit, which defaults it) in the spec is asked in full', () => {
    expect(launcherPodRequests(spec({ guest: '1Gi', requests: { cpu: '2' } })).cpuMilli).toBe(2000 + SIDE.cpuMilli);
    expect(launcherPodRequests(spec({ guest: '1Gi', limits: { cpu: '1500m' } })).cpuMilli).toBe(1500 + SIDE.cpuMilli);
  });

  it('memory: the guest memory plus the overhead; page tables only for a memory request in the VMI spec', () => {
    expect(launcherPodRequests(spec({ vcpus: 2, guest: '1Gi' })).memBytes).toBe(Gi + FIXED + 2 * 8 * Mi + SIDE.memBytes);
    // 1Gi requested: ceil(1073741824 / 1000) * 1000 / 512, rounded down
    expect(memoryOverheadBytes(spec({ requests: { memory: '1Gi' } }))).toBe(Math.floor(1_073_742_000 / 512) + FIXED + 8 * Mi);
    expect(launcherPodRequests(spec({ requests: { memory: '1Gi' } })).memBytes).toBe(Gi + 2_097_152 + FIXED + 8 * Mi + SIDE.memBytes);
    // a limit alone is the request (WithMemoryRequests)
    expect(launcherPodRequests(spec({ limits: { memory: '512Mi' } })).memBytes).toBe(512 * Mi + FIXED + 8 * Mi + SIDE.memBytes);
  });

  it('memory: an SR-IOV interface locks guest memory (VFIO): 1Gi more', () => {
    expect(launcherPodRequests(spec({ guest: '256Mi', sriov: true })).memBytes - launcherPodRequests(spec({ guest: '256Mi' })).memBytes).toBe(Gi);
  });

  it('no video RAM without a graphics device; no console-log sidecar without a serial console', () => {
    const plain = launcherPodRequests(spec({ guest: '256Mi' }));
    expect(plain.memBytes - launcherPodRequests(spec({ guest: '256Mi', devices: { autoattachGraphicsDevice: false } })).memBytes).toBe(32 * Mi);
    const quiet = launcherPodRequests(spec({ guest: '256Mi', devices: { autoattachSerialConsole: false } }));
    expect([plain.cpuMilli - quiet.cpuMilli, plain.memBytes - quiet.memBytes]).toEqual([5, 35_000_000]);
  });
});
