import { z } from 'zod';
import { CategorySchema, SeveritySchema } from '../schema/finding.js';

/** The YAML rule file format, documented in docs/rules.md §1. Strict: unknown keys are typos. */
export const FOR_EACH_VALUES = [
  'containers',
  'initContainers',
  'ephemeralContainers',
  'allContainers',
  'volumes',
  'rbacRules',
  'ingressBackends',
  'servicePorts',
  'danglingReferences',
] as const;
export type ForEach = (typeof FOR_EACH_VALUES)[number];

const celExpression = z.string().trim().min(1);

export const RuleFileSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case (a-z, 0-9, -)'),
    title: z.string().min(1),
    category: CategorySchema,
    severity: SeveritySchema,
    description: z.string().min(1),
    rationale: z.string().min(1),
    references: z.array(z.string().url()).min(1),
    match: z
      .object({
        kinds: z.array(z.string().min(1)).min(1),
        excludeKinds: z.array(z.string().min(1)).optional(),
      })
      .strict(),
    forEach: z.enum(FOR_EACH_VALUES).optional(),
    variables: z
      .array(z.object({ name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), expression: celExpression }).strict())
      .optional(),
    violation: celExpression,
    severityExpression: celExpression.optional(),
    messageExpression: celExpression.optional(),
    evidence: z
      .array(
        z
          .object({
            path: z.string().min(1),
            valueExpression: celExpression.optional(),
            message: z.string().optional(),
          })
          .strict(),
      )
      .min(1),
    remediation: z
      .object({
        summary: z.string().min(1),
        patch: z
          .object({
            type: z.enum(['strategic', 'merge', 'json']),
            when: celExpression.optional(),
            body: celExpression.optional(),
            create: celExpression.optional(),
          })
          .strict()
          .refine((p) => p.body !== undefined || p.create !== undefined, 'patch needs `body` or `create`')
          .optional(),
      })
      .strict(),
  })
  .strict();
export type RuleFile = z.infer<typeof RuleFileSchema>;

export const FixtureCaseSchema = z
  .object({
    name: z.string().min(1),
    expect: z.enum(['fail', 'pass']),
    count: z.number().int().nonnegative().optional(),
    /** fail cases: every finding of the rule has this severity. */
    severity: SeveritySchema.optional(),
    /** fail cases: every finding's message contains this text. */
    messageIncludes: z.string().optional(),
    source: z.enum(['manifests', 'cluster']).optional(),
    manifests: z.string().min(1),
  })
  .strict();
export const FixtureFileSchema = z.object({ cases: z.array(FixtureCaseSchema).min(1) }).strict();
export type FixtureCase = z.infer<typeof FixtureCaseSchema>;

/** `.clustergpt.yaml`. Strict, like the rule files: an unknown key is a typo (`disabledRule:`), not a setting. */
export const RuleConfigSchema = z
  .object({
    disabledRules: z.array(z.string()).optional(),
    severityOverrides: z.record(z.string(), SeveritySchema).optional(),
    exemptions: z
      .array(
        z
          .object({
            rule: z.string().min(1),
            namespace: z.string().optional(),
            name: z.string().optional(),
            kind: z.string().optional(),
            /** Glob on the element name (`sidecar` for `container:sidecar`). */
            element: z.string().optional(),
            /** Required: an exemption nobody can explain is one nobody can review. */
            reason: z.string().trim().min(1),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();
export type RuleConfig = z.infer<typeof RuleConfigSchema>;
