#!/usr/bin/env node
// The published entry point: runs the TypeScript CLI through tsx so that a
// fresh clone needs no build step.
import { tsImport } from 'tsx/esm/api';

const { main } = await tsImport('../harness/cli/main.ts', import.meta.url);
process.exitCode = await main(process.argv.slice(2));
