/**
 * Public API of harness/api: types, loading, validation, templates,
 * instance types. Everything else in this folder is internal.
 */
export * from './types.ts';
export { findImage, IMAGE_CATALOGUE, BOOT_DISK_BYTES, TOKEN_AREA_BYTES, type CatalogueImage, type ImageFormat } from './images.ts';
export { parseQuantity, isQuantity, toMiB } from './quantity.ts';
export { mulberry32 } from './generateExpression.ts';
export { formatIssue, formatIssues, formatWarnings, type FieldIssue, type ValidationIssue } from './issues.ts';
export { loadManifests, loadManifestSources, type LoadResult, type LoadOptions, type ManifestSource } from './loadManifests.ts';
export { validateObject, KNOWN_KINDS, ACCEPTED_ONLY_KINDS, type ObjectResult } from './validateObject.ts';
export type { AdmissionContext } from './admission.ts';
export { NOT_SIMULATED, unsimulatedFields } from './simulated.ts';
export { PINNED_VERSIONS } from './validator.ts';
export { FEATURE_GATES, isFeatureGateEnabled, type FeatureGateConfig, type FeatureGateState } from './featuregates.ts';
export { processTemplate, type TemplateResult } from './processTemplate.ts';
export { applyInstancetype } from './applyInstancetype.ts';
export { vmiSpecFromVm, applyClusterDefaults, type SpecLookups, type VmiSpecResult } from './vmiSpecFromVm.ts';
export { effectiveRunStrategy } from './runStrategy.ts';
export { parseCniConfig, type CniResult } from './nad.ts';
export { deepFreeze } from './deepFreeze.ts';
export { DEFAULT_CLUSTER_CONFIG } from './clusterconfig.ts';
export { checkVmiSpec } from './virtualmachineinstance.ts';
export type * from './generated/index.ts';
export { SCHEMA_FILES, VERSIONS } from './schemas/index.ts';
