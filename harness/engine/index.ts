/**
 * Public API of harness/engine: suites and scenarios, the runner and the
 * generated property, replay, tokens, baselines, backend factories, and the
 * results.json types. Everything else in this folder is internal
 * (docs/architecture.md §2). `bench.ts` is a second entry, loaded on demand
 * by `vmconform bench`.
 */
export { baseName, createFactories, parseAccel, probedOnce, parseBackendList, type BackendName, type BackendSettings } from './backends.ts';
export { classifyKnown, loadBaseline, type Baseline } from './baseline.ts';
export { applyCommand, checkCommand, commandText, type Command } from './command.ts';
export { loadManifestFile, loadManifestFiles, loadManifestFilesEach } from './manifestFiles.ts';
export { loadHandwritten, loadScenarioFiles, type HandwrittenScenario } from './handwritten.ts';
export { exitWorkers } from './parallel.ts';
export { createProgress } from './progress.ts';
export { GENERATED_PROPERTY, runGeneratedProperty, type Progress } from './property.ts';
export { commandsOf, replaySteps, runSuite, SCENARIO_PREFIX, type RunOptions } from './run.ts';
export type { CommandCoverage, Coverage, DiffEntry, Failure, PropertyResult, RunResults, SpecExclusion, StepRecord } from './runResults.ts';
export { runSequence, type BackendFactory, type SequenceOutcome } from './runner.ts';
export { GENERATOR_VERSION, type Scenario } from './scenario.ts';
export { loadSuite, type Suite } from './suite.ts';
export { parseRequirements, type CoverageRequirements } from './requireCoverage.ts';
export { notDrawnLines } from './specSpace.ts';
export { migrationLine, migrationShare, ruleHitsOf, type RuleHitReporter, type RuleHits } from './coverage.ts';
export { decodeToken, suiteHash, type ReplayToken } from './token.ts';
