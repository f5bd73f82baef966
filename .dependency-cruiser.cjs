// The dependency rule of docs/architecture.md §2, checked by `make lint-deps`.
// Rules are generated from two tables (the layer order and the I/O modules),
// so that a new layer or a new I/O module is one line here.
'use strict';
const { existsSync, readdirSync } = require('node:fs');

/** The layer order, bottom first: a layer may import only the layers before it (the last one, anything). */
const LAYERS = [
  ['contract', '^harness/contract/'],
  ['api', '^harness/api/'],
  ['cluster', '^harness/cluster/'],
  ['observe', '^harness/observe/'],
  ['backends', '^backends/'],
  ['engine', '^harness/engine/'],
  ['report', '^harness/report/'],
  ['server', '^harness/server/'],
  ['cli', '^harness/cli/'],
];

/** Node modules that do I/O: the model (virtual time, no processes, no files) imports none of them. */
const IO_MODULES = [
  'fs', 'fs/promises', 'child_process', 'net', 'dgram', 'http', 'https', 'http2', 'tls', 'dns',
  'worker_threads', 'cluster', 'readline', 'inspector', 'timers/promises',
];
const IO_PACKAGES = ['execa'];

/** Tests and test kits may reach across layers (a test of the model may run the engine). */
const TEST_FILES = '\\.(test|testkit)\\.ts$';

const upward = LAYERS.slice(0, -1).map(([name, from], i) => ({
  name: `layer-${name}`,
  comment: `${name} imports only ${LAYERS.slice(0, i).map(([n]) => n).join(', ') || 'nothing of the project'} (docs/architecture.md §2)`,
  severity: 'error',
  from: { path: from, pathNot: TEST_FILES },
  to: { path: LAYERS.slice(i + 1).map(([, p]) => p) },
}));

/**
 * Top-level folders (harness/x, backends/x) that have an index.ts: entered
 * only through it, or through its bench.ts (the second entry that
 * `vmconform bench` loads on demand).
 */
function indexedFolders() {
  const out = [];
  for (const root of ['harness', 'backends']) {
    for (const entry of readdirSync(root, { withFileTypes: true })) {
      if (entry.isDirectory() && existsSync(`${root}/${entry.name}/index.ts`)) out.push(`${root}/${entry.name}`);
    }
  }
  return out;
}

/**
 * The one door besides an index: guest/ builds the qemu node's guest image and
 * boots it to test it with the node's own QEMU process, QMP and QGA modules
 * (the backend in turn uses guest/'s artefacts, so an index would be a cycle).
 */
const SIDE_DOORS = { 'backends/qemu': { from: '^guest/', to: '^backends/qemu/(process|qmp|qga)/' } };

const pastIndex = indexedFolders().map((folder) => {
  const door = SIDE_DOORS[folder];
  const rule = {
    name: `index-${folder.replace('/', '-')}`,
    comment: `${folder} is entered through ${folder}/index.ts (or bench.ts) only (docs/architecture.md §2)`,
    severity: 'error',
    from: { pathNot: [`^${folder}/`, TEST_FILES] },
    to: { path: `^${folder}/`, pathNot: [`^${folder}/(index|bench)\\.ts$`] },
  };
  if (door === undefined) return rule;
  // Same rule, but for the door's modules the door's folder may come in.
  return [
    { ...rule, to: { ...rule.to, pathNot: [...rule.to.pathNot, door.to] } },
    { ...rule, name: `${rule.name}-door`, from: { pathNot: [...rule.from.pathNot, door.from] }, to: { path: door.to } },
  ];
}).flat();

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycle anywhere (docs/architecture.md §2)',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...upward,
    {
      name: 'contract-imports-nothing',
      comment: 'harness/contract imports nothing of the project (docs/architecture.md §2)',
      severity: 'error',
      from: { path: '^harness/contract/', pathNot: TEST_FILES },
      to: { pathNot: ['^harness/contract/', '^node_modules/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'backend-imports-no-backend',
      comment: 'A backend never imports another backend (backends/contract.ts and backends/cluster, the Backend over the cluster core, are shared)',
      severity: 'error',
      from: { path: '^backends/([^/]+)/', pathNot: ['^backends/cluster/', TEST_FILES] },
      to: { path: '^backends/[^/]+/', pathNot: ['^backends/$1/', '^backends/cluster/'] },
    },
    {
      name: 'shared-imports-no-backend',
      comment: 'backends/cluster is shared by the backends, so it imports none of them',
      severity: 'error',
      from: { path: '^backends/cluster/', pathNot: TEST_FILES },
      to: { path: '^backends/[^/]+/', pathNot: '^backends/cluster/' },
    },
    {
      name: 'model-imports-no-io',
      comment: 'The model imports nothing with I/O: virtual time, no processes, sockets or files',
      severity: 'error',
      from: { path: '^backends/model/', pathNot: TEST_FILES },
      to: {
        path: [`^(node:)?(${IO_MODULES.join('|')})$`, `^node_modules/(${IO_PACKAGES.join('|')})/`],
      },
    },
    {
      name: 'model-reaches-no-io',
      comment: 'Nor does anything the model imports, directly or not (the cluster core, the API layer)',
      severity: 'error',
      from: { path: '^backends/model/', pathNot: TEST_FILES },
      to: {
        reachable: true,
        path: [`^(node:)?(${IO_MODULES.join('|')})$`, `^node_modules/(${IO_PACKAGES.join('|')})/`],
      },
    },
    ...pastIndex,
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|reports|guest/build)/' },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
