import { describe, expect, it } from 'vitest';
import { emptyCoverage } from './coverage.ts';
import { parseRequirements, shortfalls } from './requireCoverage.ts';

describe('--require-coverage: migration keys', () => {
  it('reads migration.ran, .failedInFlight and .sequences, and says what falls short', () => {
    const req = parseRequirements(['migration.ran=2,migration.failedInFlight=1', 'migration.sequences=1']);
    expect(req).toEqual({ 'migration.ran': 2, 'migration.failedInFlight': 1, 'migration.sequences': 1 });
    const c = emptyCoverage();
    c.migrations.ran = 2;
    c.migrations.sequences = 1;
    expect(shortfalls(c, req)).toEqual(['migration.failedInFlight: 0 migrations, at least 1 required']);
    // results.json files written before these counts: absent counts as 0
    const old = { ...emptyCoverage(), migrations: { succeeded: 1, failed: 0, aborted: 0 } };
    expect(shortfalls(old, { 'migration.sequences': 1 })).toEqual(['migration.sequences: 0 sequences, at least 1 required']);
  });

  it('names the flag and the item for an unknown outcome', () => {
    expect(() => parseRequirements(['migration.moved=1'])).toThrow(/--require-coverage: 'migration\.moved=1': expected migration\.succeeded\|failed\|aborted\|ran\|failedInFlight\|sequences/);
  });
});
