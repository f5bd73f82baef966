import { describe, expect, it } from 'vitest';
import { exitReason, firmwareGaveUp, type ExitFacts } from './VmiLauncher.ts';

const f = (over: Partial<ExitFacts>): ExitFacts => ({ intent: 'none', shutdownReason: null, panicked: false, ...over });

describe('exitReason (how a launcher ended, from QEMU events and intent)', () => {
  it.each([
    ['guest powered off / completed ACPI shutdown → guestShutdown (R-G1)', f({ shutdownReason: 'guest-shutdown' }), 'guestShutdown'],
    ['guest shut down before the grace period expired → guestShutdown (R-G4)', f({ intent: 'graceExpired', shutdownReason: 'guest-shutdown' }), 'guestShutdown'],
    ['grace period expired, then quit → graceExpired (R-G4)', f({ intent: 'graceExpired', shutdownReason: 'host-qmp-quit' }), 'graceExpired'],
    ['grace 0 → destroyed (R-G4)', f({ intent: 'destroy', shutdownReason: 'host-qmp-quit' }), 'destroyed'],
    ['pvpanic → panicked (R-G3)', f({ panicked: true, shutdownReason: 'guest-panic' }), 'panicked'],
    ['panic reason without the event → panicked', f({ shutdownReason: 'guest-panic' }), 'panicked'],
    ['killed by a fault → killed (R-G3, R-G5)', f({ intent: 'killed' }), 'killed'],
    ['-no-reboot: a guest reboot became SHUTDOWN guest-reset, QEMU exited → guestShutdown (rebootPolicy Terminate)', f({ shutdownReason: 'guest-reset' }), 'guestShutdown'],
    ['-no-reboot: a QMP system_reset became SHUTDOWN host-qmp-system-reset → guestShutdown', f({ shutdownReason: 'host-qmp-system-reset' }), 'guestShutdown'],
    ['-no-reboot: the guest rebooted during the stop flow → guestShutdown (QEMU\'s account came first)', f({ intent: 'graceExpired', shutdownReason: 'guest-reset' }), 'guestShutdown'],
    ['QEMU died on its own → crashed (R-G3)', f({}), 'crashed'],
    ['QEMU got a signal from elsewhere → crashed', f({ shutdownReason: 'host-signal' }), 'crashed'],
    ['a migration source that handed over → no event', f({ intent: 'handedOver', shutdownReason: 'host-qmp-quit' }), null],
  ] as const)('%s', (_name, facts, want) => {
    expect(exitReason(facts)).toBe(want);
  });
});

describe('firmwareGaveUp (SeaBIOS debug console, src/boot.c boot_fail)', () => {
  it('is true once the firmware says no entry booted, false while it is still trying or booted', () => {
    expect(firmwareGaveUp('SeaBIOS (version 1.16.2)\nBooting from Hard Disk...\nBoot failed: not a bootable disk\n\nNo bootable device.\n')).toBe(true);
    expect(firmwareGaveUp('SeaBIOS (version 1.16.2)\nBooting from Hard Disk...\nBoot failed: not a bootable disk\n')).toBe(false);
    expect(firmwareGaveUp('SeaBIOS (version 1.16.2)\nBooting from Hard Disk...\nBooting from 0000:7c00\n')).toBe(false);
    expect(firmwareGaveUp('')).toBe(false);
  });
});
