/**
 * KubeVirt's answers to verbs and admission, as data (docs/spec.md §3,
 * docs/kubevirt-reference.md §1.3, §4.3, §5). Public: codes are compared between backends, messages are
 * reported. Each entry is a Result factory so call sites read like the rule.
 */
import { fail, type Result } from '../contract/index.ts';

/** An answer without parameters: built once and shared (frozen, like OK), as rejected verbs are frequent. */
const constant = (r: Result): (() => Result) => {
  Object.freeze(r);
  return () => r;
};

/** Values remembered per factory before its cache starts over (names come from user input: keep it bounded). */
const PER_VALUE_CACHE = 4096;

/**
 * An answer whose parameter has few values (a run strategy, a phase, an
 * object name): built once per value and shared (frozen), as rejected verbs
 * are frequent.
 */
const perValue = (make: (v: string) => Result): ((v: string) => Result) => {
  const made = new Map<string, Result>();
  return (v) => {
    let r = made.get(v);
    if (!r) {
      if (made.size >= PER_VALUE_CACHE) made.clear();
      made.set(v, (r = Object.freeze(make(v))));
    }
    return r;
  };
};

const internal = (m: string): Result => fail(500, `Internal error occurred: ${m}`);
const migrationDenied = (m: string): Result =>
  internal(`admission webhook "migration-create-validator.kubevirt.io" denied the request: ${m}`);

export const ERR = {
  vmNotFound: perValue((n) => fail(404, `virtualmachine.kubevirt.io "${n}" not found`)),
  vmiNotFound: perValue((n) => fail(404, `virtualmachineinstance.kubevirt.io "${n}" not found`)),
  // R-V1
  alreadyRunning: constant(fail(409, 'VM is already running')),
  noManualStart: perValue((s) => fail(409, `${s} does not support manual start requests`)),
  rerunFromFailed: constant(fail(409, 'RerunOnFailure does not support starting VM from failed state')),
  underway: constant(internal('unable to complete request: stop/start already underway')),
  // R-V2
  vmNotRunning: constant(fail(409, 'VM is not running')),
  haltedShorterGrace: constant(fail(409, 'Halted only supports manual stop requests with a shorter graceperiod')),
  // R-V3
  restartGracePositive: constant(fail(400, 'For force restart, only gracePeriod=0 is supported for now')),
  restartGraceNegative: constant(fail(400, 'gracePeriod has to be greater or equal to 0')),
  noManualRestart: perValue((s) => fail(409, `RunStategy ${s} does not support manual restart requests`)),
  restartNoVmi: constant(fail(409, 'VM is not running: Halted')),
  // R-V4
  notMigratable: (reason: string, message: string) => migrationDenied(`Cannot migrate VMI, Reason: ${reason}, Message: ${message}`),
  migrationInFlight: (uid: string, vmi: string) =>
    migrationDenied(`in-flight migration detected. Active migration job (${uid}) is currently already in progress for VMI ${vmi}.`),
  migrationFinal: constant(migrationDenied('Cannot migrate VMI in finalized state.')),
  migrationNoVmi: (vmi: string) => migrationDenied(`the VMI "default/${vmi}" does not exist`),
  // R-V5..R-V7
  alreadyPaused: constant(fail(409, 'VMI is already paused')),
  vmiNotRunning: constant(fail(409, 'VMI is not running')),
  notPaused: constant(fail(409, 'VMI is not paused')),
  vmiPaused: constant(fail(409, 'VMI is paused')),
  noAgentNoAcpi: constant(fail(409, 'VMI neither have the agent connected nor the ACPI feature enabled')),
  // R-V8
  resetNotRunning: perValue((phase) => fail(409, `Failed to reset non-running VMI with phase ${phase}: VMI is not running`)),
  // guest actions and faults (harness choices)
  noSuchDisk: (vmi: string, disk: string) => fail(400, `VMI ${vmi} has no disk ${disk}`),
  noMigrationInFlight: (vmi: string) => fail(409, `no migration in flight for VMI ${vmi}`),
  nodeNotFound: (n: string) => fail(404, `nodes "${n}" not found`),
  // admission that needs cluster state
  instancetypeNotFound: (kind: string, n: string) =>
    fail(422, `spec.instancetype.name: failure to find instancetype: ${kind.toLowerCase()}s.instancetype.kubevirt.io "${n}" not found`),
  preferenceNotFound: (kind: string, n: string) =>
    fail(422, `spec.preference.name: failure to find preference: ${kind.toLowerCase()}s.instancetype.kubevirt.io "${n}" not found`),
  notFound: (kind: string, n: string) => fail(404, `${kind} "${n}" not found`),
  conflict: (m: string) => fail(422, m),
} as const;
