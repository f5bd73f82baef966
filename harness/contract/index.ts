/**
 * The vocabulary at the bottom of the layer order (docs/architecture.md §2):
 * commands, results, actions, faults, error classes. Imports nothing of the
 * project.
 */
export * from './command.ts';
export * from './result.ts';
export * from './actions.ts';
export * from './errors.ts';
