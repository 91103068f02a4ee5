/** `.clustergpt.yaml` (the keys the rule engine owns) and exemption matching (docs/rules.md §6). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { InputError, errorMessage } from '../common/errors.js';
import type { K8sObject } from '../schema/snapshot.js';
import { RuleConfigSchema, type RuleConfig } from './rule-schema.js';

export const EXEMPT_ANNOTATION = 'clustergpt.io/exempt';
export const EXEMPT_REASON_ANNOTATION = 'clustergpt.io/exempt-reason';
export const DEFAULT_CONFIG_FILE = '.clustergpt.yaml';

export interface LoadedConfig {
  config: RuleConfig;
  /** Where it was read from (shown as `declaredOn` of config exemptions); undefined when there is none. */
  file?: string;
}

/**
 * Reads the config (synchronously: evaluateRules is synchronous). An explicit path must exist; the default
 * ./.clustergpt.yaml is optional.
 */
export function loadRuleConfig(configPath: string | undefined, cwd = process.cwd()): LoadedConfig {
  const file = path.resolve(cwd, configPath ?? DEFAULT_CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (configPath === undefined && (err as NodeJS.ErrnoException).code === 'ENOENT') return { config: {} };
    throw new InputError(`cannot read config file ${file}: ${errorMessage(err)}`, 'Check the --config path.', { cause: err });
  }
  return { config: parseRuleConfig(text, file), file };
}

export function parseRuleConfig(text: string, file: string): RuleConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (err) {
    throw new InputError(`config file ${file} is not valid YAML: ${errorMessage(err)}`, 'Fix the YAML syntax.', { cause: err });
  }
  const parsed = RuleConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new InputError(
      `config file ${file} is invalid: ${issues}`,
      'Allowed keys: disabledRules, severityOverrides {rule: severity}, exemptions [{rule, namespace?, name?, kind?, reason?}] (docs/rules.md §6).',
    );
  }
  return parsed.data;
}

/** Glob with `*` and `?` over the whole string. */
export function globMatches(pattern: string, value: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return re.test(value);
}

/** `container:web` → `web`; labels without a kind prefix (`rule[2]`) are their own name. */
export function elementName(element: string | undefined): string | undefined {
  if (element === undefined) return undefined;
  const colon = element.indexOf(':');
  return colon >= 0 ? element.slice(colon + 1) : element;
}

/**
 * Entries are `all`, `<rule>` or `<rule>/<element name>` (e.g. `missing-cpu-limit/sidecar`: only the sidecar
 * container's finding).
 */
export function annotationExempts(annotations: Record<string, string> | undefined, ruleId: string, element?: string): boolean {
  const value = annotations?.[EXEMPT_ANNOTATION];
  if (!value) return false;
  const name = elementName(element);
  return value
    .split(',')
    .map((s) => s.trim())
    .some((s) => s === 'all' || s === ruleId || (name !== undefined && s === `${ruleId}/${name}`));
}

export interface Exemption {
  source: 'annotation' | 'config';
  reason?: string;
  declaredOn: string;
}

export interface ExemptionTarget {
  ruleId: string;
  /** The finding's element (`container:web`), for per-element exemptions. */
  element?: string;
  object: K8sObject;
  /** Pod template metadata when the object is a workload. */
  templateMetadata?: Record<string, any>;
  namespaceObject?: K8sObject;
}

export function findExemption(target: ExemptionTarget, loaded: LoadedConfig): Exemption | undefined {
  const { ruleId, object } = target;
  const ident = `${object.kind}/${object.metadata.namespace ? object.metadata.namespace + '/' : ''}${object.metadata.name ?? ''}`;
  const candidates: [Record<string, string> | undefined, string][] = [
    [object.metadata.annotations, `annotation on ${ident}`],
    [target.templateMetadata?.annotations, `annotation on the pod template of ${ident}`],
    [target.namespaceObject?.metadata.annotations, `annotation on Namespace/${target.namespaceObject?.metadata.name ?? ''}`],
  ];
  for (const [annotations, declaredOn] of candidates) {
    if (annotations && annotationExempts(annotations, ruleId, target.element)) {
      return { source: 'annotation', reason: annotations[EXEMPT_REASON_ANNOTATION], declaredOn };
    }
  }
  for (const entry of loaded.config.exemptions ?? []) {
    if (entry.rule !== 'all' && entry.rule !== ruleId) continue;
    if (entry.kind !== undefined && entry.kind !== object.kind) continue;
    if (entry.namespace !== undefined && entry.namespace !== (object.metadata.namespace ?? '')) continue;
    if (entry.name !== undefined && !globMatches(entry.name, object.metadata.name ?? '')) continue;
    if (entry.element !== undefined && !globMatches(entry.element, elementName(target.element) ?? '')) continue;
    return { source: 'config', reason: entry.reason, declaredOn: loaded.file ?? DEFAULT_CONFIG_FILE };
  }
  return undefined;
}
