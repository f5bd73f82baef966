/**
 * The `results.json` contract the writers render. Public. The types live with
 * the engine that produces them (harness/engine/runResults.ts); they are
 * re-exported here for the report's readers.
 */
export type { CommandCoverage, Coverage, DiffEntry, Failure, PropertyResult, RunResults, SpecExclusion, StepRecord } from '../engine/index.ts';
