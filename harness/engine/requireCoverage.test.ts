import { describe, expect, it } from 'vitest';
import { emptyCoverage } from './coverage.ts';
import { parseRequirements, shortfalls } from './requireCoverage.ts';

describe('--require-coverage: migration keys', () => {
  it('reads migration.ran, .failedInFlight, .targetDied and .sequences, and says what falls short', () => {
    const req = parseRequirements(['migration.ran=2,migration.failedInFlight=1', 'migration.sequences=1,migration.targetDied=1']);
    expect(req).toEqual({ 'migration.ran': 2, 'migration.failedInFlight': 1, 'migration.sequences': 1, 'migration.targetDied': 1 });
    const c = emptyCoverage();
    c.migrations.ran = 2;
    c.migrations.sequences = 1;
    expect(shortfalls(c, req)).toEqual(['migration.failedInFlight: 0 migrations, at least 1 required', 'migration.targetDied: 0 migrations, at least 1 required']);
    // results.json files written before these counts: absent counts as 0
    const old = { ...emptyCoverage(), migrations: { succeeded: 1, failed: 0, aborted: 0 } };
    expect(shortfalls(old, { 'migration.sequences': 1 })).toEqual(['migration.sequences: 0 sequences, at least 1 required']);
  });

  it('reads migration.share as a percentage of the counted sequences', () => {
    const req = parseRequirements(['migration.share=25']);
    expect(req).toEqual({ 'migration.share': 25 });
    const c = emptyCoverage();
    c.sequences = 40;
    c.migrations.sequences = 9;
    expect(shortfalls(c, req)).toEqual(['migration.share: 22.5 % of sequences with a migration that ran, at least 25 required']);
    c.migrations.sequences = 10;
    expect(shortfalls(c, req)).toEqual([]);
    // no sequence counted: a share of 0, not a division by zero
    expect(shortfalls(emptyCoverage(), req)).toEqual(['migration.share: 0 % of sequences with a migration that ran, at least 25 required']);
  });

  it('names the flag and the item for an unknown outcome', () => {
    expect(() => parseRequirements(['migration.moved=1'])).toThrow(/--require-coverage: 'migration\.moved=1': expected migration\.succeeded\|failed\|aborted\|ran\|failedInFlight\|targetDied\|sequences/);
  });
});
