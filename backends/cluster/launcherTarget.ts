/**
 * Finding the launcher behind a VMI for console, VNC and virsh
 * (LauncherAccess, backends/contract.ts), with virt-api's answers when there
 * is none. Public (to backends): both backends' LauncherAccess use it.
 *
 * - No such VMI (or another namespace: the core serves one): 404, worded as
 *   the apiserver words a missing object.
 * - A VMI whose launcher does not run (Pending, Scheduling, or ended): 400
 *   `VMI is not running`, as virt-api's console and VNC answer
 *   (pkg/virt-api/rest/console.go validateVMIForConsole, vnc.go
 *   vmiHasDisplay); a Failed VMI: 409 `VMI is in failed status`
 *   (validateVMIForConsole). virtctl console retries on 400 until its
 *   --timeout (client-go kubecli/vmi.go SerialConsole).
 */
import { createHash } from 'node:crypto';
import { NAMESPACE, type ApiObject, type ClusterCore } from '../../harness/cluster/index.ts';

/** Why a launcher cannot be reached; `code` and `reason` are the metav1.Status an API server answers with. */
export class LauncherUnavailable extends Error {
  constructor(
    readonly code: 400 | 404 | 409,
    readonly reason: 'BadRequest' | 'NotFound' | 'Conflict',
    message: string,
  ) {
    super(message);
    this.name = 'LauncherUnavailable';
  }
}

/** The VMI `name` in `namespace`, or LauncherUnavailable(404). */
export function findVmi(core: ClusterCore, namespace: string, name: string): ApiObject {
  const vmi = namespace === NAMESPACE ? core.object('VirtualMachineInstance', name) : undefined;
  if (!vmi) throw new LauncherUnavailable(404, 'NotFound', `virtualmachineinstances.kubevirt.io "${name}" not found`);
  return vmi;
}

/** virt-api's answer for a VMI without a running launcher: 409 when it Failed, else 400. */
export function notRunning(vmi: ApiObject): LauncherUnavailable {
  const name = vmi.metadata.name;
  if ((vmi.status as { phase?: string } | undefined)?.phase === 'Failed') {
    return new LauncherUnavailable(409, 'Conflict', `Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "${name}": VMI is in failed status`);
  }
  return new LauncherUnavailable(400, 'BadRequest', 'VMI is not running');
}

/** The libvirt domain name KubeVirt gives a VMI: `<namespace>_<name>` (pkg/virt-launcher/virtwrap/api/schema.go VMINamespaceKeyFunc). */
export function domainName(namespace: string, name: string): string {
  return `${namespace}_${name}`;
}

/** The UUID namespace of KubeVirt's legacy firmware UUIDs (pkg/virt-controller/watch/vm/firmware.go, magicUUID). */
const FIRMWARE_UUID_NS = '6a1a24a1-4061-4607-8bf4-a3963d0c5895';

/** The domain UUID: the VMI's firmware UUID, else the one KubeVirt derives from the name (CalculateLegacyUUID: UUIDv5/SHA-1). */
export function domainUuid(vmi: ApiObject): string {
  const spec = (vmi as { spec?: { domain?: { firmware?: { uuid?: string } } } }).spec;
  const set = spec?.domain?.firmware?.uuid;
  if (set) return set;
  const h = createHash('sha1').update(Buffer.from(FIRMWARE_UUID_NS.replace(/-/g, ''), 'hex')).update(vmi.metadata.name).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
