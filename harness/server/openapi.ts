/**
 * OpenAPI documents. v3 (/openapi/v3 and /openapi/v3/apis/{group}/{version}):
 * the vendored KubeVirt / CDI / NAD / Template schemas (harness/api/schemas)
 * as components, tagged with x-kubernetes-group-version-kind, as the apiserver
 * publishes a CRD's structural schema. v2 (/openapi/v2): kubectl 1.20's client
 * side validation (`kubectl apply`, `create`, `replace` with --validate, the
 * default) downloads it as protobuf (gnostic openapi_v2.Document,
 * k8s.io/client-go discovery OpenAPISchema) and fails without it; the served
 * document is a valid, empty one (swagger 2.0, no definitions), under which
 * kubectl validates nothing client side (kubectl pkg/util/openapi/validation:
 * a kind without a schema is skipped) and leaves validation to the server,
 * which admits every write (rest.ts). `kubectl explain` needs the
 * definitions and is not served. Internal to harness/server.
 */
import { createHash } from 'node:crypto';
import { SCHEMA_FILES, VERSIONS } from '../api/index.ts';

/** A protobuf length-delimited field. */
function field(tag: number, payload: Buffer): Buffer {
  const len: number[] = [];
  let n = payload.length;
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    len.push(b);
  } while (n);
  return Buffer.concat([Buffer.from([(tag << 3) | 2, ...len]), payload]);
}

/** openapi_v2.Document { swagger = 1; info = 2 { title = 1; version = 2 } }. */
export const OPENAPI_V2_PROTOBUF: Buffer = Buffer.concat([field(1, Buffer.from('2.0')), field(2, Buffer.concat([field(1, Buffer.from('vmconform')), field(2, Buffer.from('v1.30.0'))]))]);

export const OPENAPI_V2_JSON = { swagger: '2.0', info: { title: 'vmconform', version: 'v1.30.0' }, paths: {}, definitions: {} };

interface VersionsFile {
  kinds: { group: string; kind: string; versions: { name: string; served: boolean }[]; file: string }[];
}

/** The v3 document of each group version: path → document. */
const V3: Map<string, unknown> = (() => {
  const out = new Map<string, { components: { schemas: Record<string, unknown> } }>();
  for (const k of (VERSIONS as VersionsFile).kinds) {
    const v = k.versions[0]!.name;
    const path = `apis/${k.group}/${v}`;
    let doc = out.get(path);
    if (!doc) out.set(path, (doc = { components: { schemas: {} } }));
    const id = `${k.group.split('.').reverse().join('.')}.${v}.${k.kind}`;
    doc.components.schemas[id] = { ...(SCHEMA_FILES[k.file] as object), 'x-kubernetes-group-version-kind': [{ group: k.group, version: v, kind: k.kind }] };
  }
  return new Map([...out].map(([p, d]) => [p, { openapi: '3.0.0', info: { title: 'Kubernetes CRD Swagger', version: 'v0.1.0' }, paths: {}, ...d }]));
})();

const HASH = new Map([...V3].map(([p, d]) => [p, createHash('sha512').update(JSON.stringify(d)).digest('hex').slice(0, 128).toUpperCase()]));

/** The /openapi/v3 discovery document. */
export function openapiV3Root(): unknown {
  return { paths: Object.fromEntries([...V3.keys()].map((p) => [p, { serverRelativeURL: `/openapi/v3/${p}?hash=${HASH.get(p)}` }])) };
}

/** The v3 document of `apis/{group}/{version}`, or undefined. */
export const openapiV3 = (path: string): unknown => V3.get(path);
