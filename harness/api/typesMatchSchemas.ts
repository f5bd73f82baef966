/**
 * One source of truth for types (docs/api.md, "Types"): the shapes in
 * types.ts are the simulated subset the rest of the tree reads; here the
 * compiler checks that each is assignable to the type generated from
 * KubeVirt's own schema (generated/, scripts/regen-schemas-types.ts), so the
 * subset cannot drift from the API: a field renamed or retyped upstream, or
 * invented here, fails `tsc`. Kinds without a CRD (core Kubernetes kinds,
 * ClusterConfig) have only their zod schema. Internal; nothing imports it at
 * run time.
 */
import type * as G from './generated/index.ts';
import type * as T from './types.ts';

/**
 * Required-ness is the validator's business (the schema is enforced at run
 * time); here every field is optional, so the check is about names and types.
 */
type DeepPartial<T> = T extends (infer U)[] ? DeepPartial<U>[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/**
 * The dotted paths of fields the subset has and the schema has not (`never`
 * when none). A free-form object or a map in the schema takes any field; a
 * map in the subset (`Record<string, …>`, `{}` markers) names none.
 */
type Extra<T, G, P extends string = ''> = T extends readonly (infer U)[]
  ? G extends readonly (infer V)[]
    ? Extra<U, V, `${P}[]`>
    : never
  : T extends object
    ? G extends object
      ? [keyof G] extends [never]
        ? never
        : string extends keyof T
          ? never
          : string extends keyof G
            ? never
            : { [K in keyof T & string]-?: K extends keyof G ? Extra<NonNullable<T[K]>, NonNullable<G[K]>, `${P}.${K}`> : `${P}.${K}` }[keyof T & string]
      : never
    : never;

/** `true` when the subset's fields are the schema's with compatible types; else the offending paths (or false). */
type Check<A, B> = [Extra<A, B>] extends [never] ? ([A] extends [DeepPartial<B>] ? true : false) : Extra<A, B>;

export const SUBSET_OF_SCHEMA: {
  VirtualMachine: Check<T.VirtualMachine, G.VirtualMachineSchema>;
  VirtualMachineInstance: Check<T.VirtualMachineInstance, G.VirtualMachineInstanceSchema>;
  VirtualMachineInstanceMigration: Check<T.VirtualMachineInstanceMigration, G.VirtualMachineInstanceMigrationSchema>;
  MigrationPolicy: Check<T.MigrationPolicy, G.MigrationPolicySchema>;
  VirtualMachineInstanceReplicaSet: Check<T.VirtualMachineInstanceReplicaSet, G.VirtualMachineInstanceReplicaSetSchema>;
  VirtualMachinePool: Check<T.VirtualMachinePool, G.VirtualMachinePoolSchema>;
  VirtualMachineClusterInstancetype: Check<T.VirtualMachineClusterInstancetype, G.VirtualMachineClusterInstancetypeSchema>;
  VirtualMachineClusterPreference: Check<T.VirtualMachineClusterPreference, G.VirtualMachineClusterPreferenceSchema>;
  DataVolume: Check<T.DataVolume, G.DataVolumeSchema>;
  DataSource: Check<T.DataSource, G.DataSourceSchema>;
  NetworkAttachmentDefinition: Check<T.NetworkAttachmentDefinition, G.NetworkAttachmentDefinitionSchema>;
  Template: Check<T.Template, G.TemplateSchema>;
} = {
  VirtualMachine: true,
  VirtualMachineInstance: true,
  VirtualMachineInstanceMigration: true,
  MigrationPolicy: true,
  VirtualMachineInstanceReplicaSet: true,
  VirtualMachinePool: true,
  VirtualMachineClusterInstancetype: true,
  VirtualMachineClusterPreference: true,
  DataVolume: true,
  DataSource: true,
  NetworkAttachmentDefinition: true,
  Template: true,
};
