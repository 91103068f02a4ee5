/** `.clustergpt.yaml` (the keys the rule engine owns) and exemption matching (docs/rules.md §6). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import { closestMatch } from '../common/suggest.js';
import { InputError, errorMessage } from '../common/errors.js';
import type { K8sObject } from '../schema/snapshot.js';
import type { Logger } from '../common/logger.js';
import type { RuleEngineOptions } from '../pipeline-types.js';
import { RuleConfigSchema, type RuleConfig } from './rule-schema.js';

export const EXEMPT_ANNOTATION = 'clustergpt.io/exempt';
export const EXEMPT_REASON_ANNOTATION = 'clustergpt.io/exempt-reason';
export const DEFAULT_CONFIG_FILE = '.clustergpt.yaml';

export interface LoadedConfig {
  config: RuleConfig;
  /** Where it was read from (shown as `declaredOn` of config exemptions); undefined when there is none. */
  file?: string;
  /** 1-based line of each entry of `config.exemptions` (stale exemptions say where they were declared). */
  exemptionLines?: number[];
}

const TOP_LEVEL_KEYS = ['disabledRules', 'severityOverrides', 'exemptions'] as const;
const EXEMPTION_KEYS = ['rule', 'namespace', 'name', 'kind', 'element', 'reason'] as const;

/**
 * Reads the config named by --config (synchronously: evaluateRules is synchronous); the path must exist. Without one
 * there is no config: a `.clustergpt.yaml` in the working directory is, in CI, part of the pull request being checked,
 * and must not be able to disable or downgrade rules unasked. With `ruleIds` (the loaded rule set), rule ids it names
 * must exist.
 */
export function loadRuleConfig(configPath: string | undefined, cwd = process.cwd(), ruleIds?: readonly string[]): LoadedConfig {
  if (configPath === undefined) return { config: {} };
  const file = path.resolve(cwd, configPath);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read config file ${file}: ${errorMessage(err)}`, 'Check the --config path.', { cause: err });
  }
  const { config, exemptionLines } = parseConfigDocument(text, file, ruleIds, shownPath(file, cwd));
  return { config, file, exemptionLines };
}

export function parseRuleConfig(text: string, file: string, ruleIds?: readonly string[]): RuleConfig {
  return parseConfigDocument(text, file, ruleIds, file).config;
}

/** The config file as typed in messages: relative to the working directory when inside it. */
function shownPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

function pathText(segments: readonly PropertyKey[]): string {
  return segments.reduce<string>((out, s) => (typeof s === 'number' ? `${out}[${s}]` : out ? `${out}.${String(s)}` : String(s)), '');
}

interface ConfigIssue {
  line: number;
  message: string;
}

/**
 * Typos must not pass silently: an unknown key, an unknown rule id or an exemption without a reason is an error
 * with file:line and the closest known name; every issue of the file is reported at once.
 */
function parseConfigDocument(
  text: string,
  file: string,
  ruleIds: readonly string[] | undefined,
  shown: string,
): { config: RuleConfig; exemptionLines: number[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const error = doc.errors[0];
    const line = lineCounter.linePos(error.pos[0]).line;
    throw new InputError(`config file ${shown}:${line} is not valid YAML: ${error.message.split('\n')[0]}`, 'Fix the YAML syntax.', { cause: error });
  }
  const raw: unknown = doc.toJS() ?? {};
  const lineAt = (segments: readonly PropertyKey[]): number => {
    // The line of the key (for a map entry) or item (for a list entry); else of the nearest enclosing node.
    for (let n = segments.length; n > 0; n--) {
      const parent = n === 1 ? doc.contents : doc.getIn(segments.slice(0, n - 1), true);
      const last = segments[n - 1];
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isPair(p) && keyText(p.key) === String(last));
        const range = (pair?.key as YamlNode | undefined)?.range;
        if (range) return lineCounter.linePos(range[0]).line;
      } else if (isSeq(parent) && typeof last === 'number') {
        const range = (parent.items[last] as YamlNode | undefined)?.range;
        if (range) return lineCounter.linePos(range[0]).line;
      }
    }
    const range = (doc.contents as YamlNode | null)?.range;
    return range ? lineCounter.linePos(range[0]).line : 1;
  };
  const issues: ConfigIssue[] = [];
  const unknownKey = (segments: PropertyKey[], key: string, allowed: readonly string[]) => {
    const close = closestMatch(key, allowed);
    issues.push({
      line: lineAt([...segments, key]),
      message: `unknown key "${pathText([...segments, key])}"${close ? `; did you mean "${close}"?` : `; known keys: ${allowed.join(', ')}`}`,
    });
  };

  const parsed = RuleConfigSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        const allowed = issue.path.length === 0 ? TOP_LEVEL_KEYS : EXEMPTION_KEYS;
        for (const key of issue.keys) unknownKey(issue.path, key, allowed);
        continue;
      }
      const last = issue.path[issue.path.length - 1];
      const message =
        last === 'reason' && issue.path[0] === 'exemptions'
          ? `${pathText(issue.path.slice(0, -1))} has no reason; every exemption needs one (why is this finding acceptable?)`
          : `${pathText(issue.path) || '(root)'}: ${issue.message}`;
      issues.push({ line: lineAt(issue.path), message });
    }
  }
  const config = parsed.success ? parsed.data : undefined;
  // Rule ids are checked on what was written even when the shape is wrong elsewhere, so one run names every typo.
  const written = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, any>;
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : '')) : []);
  if (ruleIds) {
    const known = new Set(ruleIds);
    const checkRule = (id: string, segments: PropertyKey[], isKey: boolean) => {
      if (known.has(id)) return;
      const close = closestMatch(id, ruleIds);
      issues.push({
        line: lineAt(segments),
        message: `unknown rule id "${id}"${isKey ? ` in ${pathText(segments.slice(0, -1))}` : ` at ${pathText(segments)}`}${close ? `; did you mean "${close}"?` : '; run `clustergpt rules list` for the ids'}`,
      });
    };
    strings(written.disabledRules).forEach((id, i) => id && checkRule(id, ['disabledRules', i], false));
    const overrides = written.severityOverrides;
    if (typeof overrides === 'object' && overrides !== null && !Array.isArray(overrides)) {
      for (const id of Object.keys(overrides)) checkRule(id, ['severityOverrides', id], true);
    }
    (Array.isArray(written.exemptions) ? written.exemptions : []).forEach((e: any, i: number) => {
      if (typeof e?.rule === 'string' && e.rule !== 'all') checkRule(e.rule, ['exemptions', i, 'rule'], false);
    });
  }
  if (issues.length > 0) {
    issues.sort((a, b) => a.line - b.line);
    throw new InputError(
      `config file ${shown} is invalid: ${issues.map((i) => `${shown}:${i.line}: ${i.message}`).join('; ')}`,
      'Allowed keys: disabledRules [rule ids], severityOverrides {rule id: severity}, exemptions [{rule, reason, namespace?, name?, kind?, element?}] (docs/rules.md §6).',
    );
  }
  const exemptionLines = (config!.exemptions ?? []).map((_, i) => lineAt(['exemptions', i]));
  return { config: config!, exemptionLines };
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

/**
 * The exemption that applies to a finding, if any. `matched` collects the index of every config exemption that
 * matches it, the ones shadowed by an earlier exemption included (an exemption is stale only if it matches nothing).
 */
export function findExemption(target: ExemptionTarget, loaded: LoadedConfig, matched?: Set<number>): Exemption | undefined {
  const { ruleId, object } = target;
  const ident = `${object.kind}/${object.metadata.namespace ? object.metadata.namespace + '/' : ''}${object.metadata.name ?? ''}`;
  const candidates: [Record<string, string> | undefined, string][] = [
    [object.metadata.annotations, `annotation on ${ident}`],
    [target.templateMetadata?.annotations, `annotation on the pod template of ${ident}`],
    [target.namespaceObject?.metadata.annotations, `annotation on Namespace/${target.namespaceObject?.metadata.name ?? ''}`],
  ];
  let found: Exemption | undefined;
  for (const [annotations, declaredOn] of candidates) {
    if (annotations && annotationExempts(annotations, ruleId, target.element)) {
      found = { source: 'annotation', reason: annotations[EXEMPT_REASON_ANNOTATION], declaredOn };
      break;
    }
  }
  if (found && !matched) return found;
  const entries = loaded.config.exemptions ?? [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (entry.rule !== 'all' && entry.rule !== ruleId) continue;
    if (entry.kind !== undefined && entry.kind !== object.kind) continue;
    if (entry.namespace !== undefined && entry.namespace !== (object.metadata.namespace ?? '')) continue;
    if (entry.name !== undefined && !globMatches(entry.name, object.metadata.name ?? '')) continue;
    if (entry.element !== undefined && !globMatches(entry.element, elementName(target.element) ?? '')) continue;
    matched?.add(i);
    found ??= { source: 'config', reason: entry.reason, declaredOn: loaded.file ?? DEFAULT_CONFIG_FILE };
    if (!matched) break;
  }
  return found;
}

/** A config exemption that matched no finding: a typo in a name, or a problem fixed long ago. */
export interface StaleExemption {
  rule: string;
  namespace?: string;
  name?: string;
  kind?: string;
  element?: string;
  reason: string;
  /** `file:line` of the entry. */
  declaredOn: string;
}

/** What a loaded config changes, for the terminal and the report: nothing it does may be silent. */
export interface AppliedConfig {
  file: string;
  disabledRules: string[];
  severityOverrides: Array<{ rule: string; severity: string }>;
  exemptions: number;
}

export function appliedConfigOf(loaded: LoadedConfig, shownFile: string): AppliedConfig | undefined {
  if (!loaded.file) return undefined;
  const { config } = loaded;
  return {
    file: shownFile,
    disabledRules: [...(config.disabledRules ?? [])].sort(),
    severityOverrides: Object.entries(config.severityOverrides ?? {})
      .map(([rule, severity]) => ({ rule, severity: String(severity) }))
      .sort((a, b) => (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)),
    exemptions: config.exemptions?.length ?? 0,
  };
}

export function staleExemptions(loaded: LoadedConfig, matched: ReadonlySet<number>): StaleExemption[] {
  const file = loaded.file ?? DEFAULT_CONFIG_FILE;
  return (loaded.config.exemptions ?? []).flatMap((entry, i) => {
    if (matched.has(i)) return [];
    const line = loaded.exemptionLines?.[i];
    const { rule, namespace, name, kind, element, reason } = entry;
    const stale: StaleExemption = { rule, reason, declaredOn: line ? `${file}:${line}` : file };
    if (namespace !== undefined) stale.namespace = namespace;
    if (name !== undefined) stale.name = name;
    if (kind !== undefined) stale.kind = kind;
    if (element !== undefined) stale.element = element;
    return [stale];
  });
}

/**
 * The --config file, validated against the rule ids before the cluster is read. Everything it changes is said on
 * stderr and recorded in the report; with --no-exemptions it is checked but nothing in it applies, so nothing in the
 * reviewed change can weaken a CI gate.
 */
export function loadRunConfig(
  rules: RuleEngineOptions,
  ruleIds: readonly string[],
  log: Logger,
): { ruleConfig: LoadedConfig; appliedConfig: AppliedConfig | undefined } {
  if (rules.configPath === undefined && existsSync(DEFAULT_CONFIG_FILE)) {
    log.info(`${DEFAULT_CONFIG_FILE} in the working directory is not read unless asked: pass --config ${DEFAULT_CONFIG_FILE} to apply it`);
  }
  const loaded = loadRuleConfig(rules.configPath, undefined, ruleIds);
  if (rules.configPath === undefined) return { ruleConfig: loaded, appliedConfig: undefined };
  if (rules.noExemptions) {
    log.info(`--no-exemptions: ${rules.configPath} is checked, but none of its overrides or exemptions apply`);
    return { ruleConfig: { config: {} }, appliedConfig: undefined };
  }
  const applied = appliedConfigOf(loaded, rules.configPath);
  if (applied) {
    const changes = [
      applied.disabledRules.length > 0 && `disabled rules: ${applied.disabledRules.join(', ')}`,
      applied.severityOverrides.length > 0 && `severity overrides: ${applied.severityOverrides.map((o) => `${o.rule} → ${o.severity}`).join(', ')}`,
      applied.exemptions > 0 && `${applied.exemptions} exemption(s)`,
    ].filter(Boolean);
    log.info(`config ${applied.file}: ${changes.length > 0 ? changes.join('; ') : 'no overrides'}`);
  }
  return { ruleConfig: loaded, appliedConfig: applied };
}
