import { z } from 'zod';

/**
 * The snapshot is the only thing the analysis stages read. It is written by the connector
 * (live cluster) or the manifest loader, saved with `clustergpt snapshot`, and is safe to hand
 * to a third party: no Secret data, ConfigMap values reduced to keys, env literals masked,
 * managedFields and last-applied-configuration dropped (see src/snapshot/sanitize.ts).
 */
export const SNAPSHOT_SCHEMA_VERSION = 1 as const;

/** A Kubernetes object as the API returns it. Only the envelope is checked; the body is raw. */
export const K8sObjectSchema = z
  .object({
    apiVersion: z.string(),
    kind: z.string(),
    metadata: z
      .object({
        name: z.string().optional(),
        generateName: z.string().optional(),
        namespace: z.string().optional(),
        uid: z.string().optional(),
        labels: z.record(z.string(), z.string()).optional(),
        annotations: z.record(z.string(), z.string()).optional(),
        ownerReferences: z.array(z.record(z.string(), z.unknown())).optional(),
      })
      .passthrough(),
  })
  .passthrough();
export type K8sObject = z.infer<typeof K8sObjectSchema> & Record<string, any>;

export const CoverageStatusSchema = z.enum([
  'listed', // listed completely
  'forbidden', // 403: RBAC does not allow listing it
  'not-served', // 404: the API group/version is not served by this cluster
  'failed', // any other error (timeout, 5xx after retries, connection reset)
  'not-applicable', // manifests: the kind cannot exist in a manifest set (e.g. Events, metrics)
]);
export type CoverageStatus = z.infer<typeof CoverageStatusSchema>;

export const CoverageEntrySchema = z.object({
  kind: z.string(),
  apiVersion: z.string(),
  status: CoverageStatusSchema,
  count: z.number().int().nonnegative(),
  error: z.string().optional(),
  /** Secrets are listed as metadata only; recorded so reports can say so. */
  metadataOnly: z.boolean().optional(),
});
export type CoverageEntry = z.infer<typeof CoverageEntrySchema>;

export const ClusterSourceSchema = z.object({
  type: z.literal('cluster'),
  server: z.string(),
  context: z.string().optional(),
  kubernetesVersion: z.string().optional(),
  platform: z.string().optional(),
});
export const ManifestSourceSchema = z.object({
  type: z.literal('manifests'),
  paths: z.array(z.string()),
});
export const SnapshotSourceSchema = z.discriminatedUnion('type', [ClusterSourceSchema, ManifestSourceSchema]);
export type SnapshotSource = z.infer<typeof SnapshotSourceSchema>;

/** Where an object came from when it was loaded from a manifest file. */
export const SourceLocationSchema = z.object({
  file: z.string(),
  /** 1-based line of the document's first line (`apiVersion`/`kind` block). */
  line: z.number().int().positive(),
  /** Field path (`spec.template.spec.containers[0].image`) → 1-based line of that key. */
  paths: z.record(z.string(), z.number().int().positive()).default({}),
});
export type SourceLocation = z.infer<typeof SourceLocationSchema>;

export const SnapshotSchema = z.object({
  schemaVersion: z.literal(SNAPSHOT_SCHEMA_VERSION),
  capturedAt: z.string(),
  source: SnapshotSourceSchema,
  scope: z.object({
    /** null = all namespaces */
    namespaces: z.array(z.string()).nullable(),
    excludedNamespaces: z.array(z.string()).default([]),
  }),
  coverage: z.array(CoverageEntrySchema),
  /** Raw API objects grouped by kind (`Deployment`, `Pod`, ...), sorted by namespace then name. */
  objects: z.record(z.string(), z.array(K8sObjectSchema)),
  /** Manifests only: key `Kind/namespace/name` (namespace empty for cluster-scoped) → location. */
  locations: z.record(z.string(), SourceLocationSchema).optional(),
});
export type Snapshot = Omit<z.infer<typeof SnapshotSchema>, 'objects'> & {
  objects: Record<string, K8sObject[]>;
};

/** The key used by `Snapshot.locations` and by the graph for an object. */
export function objectKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

export function keyOf(obj: K8sObject): string {
  return objectKey(obj.kind, obj.metadata.namespace, obj.metadata.name ?? obj.metadata.generateName ?? '');
}
