/** Loads and compiles rule files (docs/rules.md §1). Every expression is compiled here, once. */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { InputError, errorMessage } from '../common/errors.js';
import type { Category, Severity } from '../schema/finding.js';
import { RuleFileSchema, type ForEach, type RuleFile } from './rule-schema.js';
import { compileExpression, type CompiledExpression } from './cel-env.js';
import { parsePath } from './paths.js';

export interface CompiledEvidence {
  /** Path template with {podSpec}/{podTemplate}/{element} placeholders. */
  path: string;
  /** Set for derived evidence: the value is computed, and `path` names the fields it is computed from. */
  value?: CompiledExpression;
  message?: string;
}

export interface Rule {
  id: string;
  title: string;
  category: Category;
  severity: Severity;
  description: string;
  rationale: string;
  references: string[];
  kinds: string[];
  excludeKinds: string[];
  forEach?: ForEach;
  /** The rule file it was loaded from. */
  file: string;
  /** The file as written (for listRules / VAP export). */
  definition: RuleFile;
  /** `constant` is set when the expression does not depend on the object (e.g. a lookup table): computed once. */
  variables: { name: string; expression: CompiledExpression; constant?: { value: unknown } }[];
  violation: CompiledExpression;
  severityExpression?: CompiledExpression;
  messageExpression?: CompiledExpression;
  evidence: CompiledEvidence[];
  remediationSummary: string;
  patch?: {
    type: 'strategic' | 'merge' | 'json';
    when?: CompiledExpression;
    body?: CompiledExpression;
    create?: CompiledExpression;
  };
}

export interface RuleSet {
  rules: Rule[];
  /** Directories the rules came from, in load order. */
  dirs: string[];
}

export interface LoadRuleSetOptions {
  builtinDir?: string;
  extraRuleDirs?: string[];
}

/** `<repo>/rules`: this file lives in src/rule-engine/ (vitest) or dist/rule-engine/ (built), both two levels down. */
export function defaultRulesDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'rules');
}

export function isFixtureFile(file: string): boolean {
  return file.endsWith('.test.yaml') || file.endsWith('.test.yml');
}

/** All rule files under `dir`, recursively, sorted (fixtures excluded). */
export async function findRuleFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await findRuleFiles(full)));
    else if (/\.ya?ml$/.test(entry.name) && !isFixtureFile(entry.name)) out.push(full);
  }
  return out;
}

function compileField(file: string, field: string, source: string): CompiledExpression {
  try {
    return compileExpression(source);
  } catch (err) {
    throw new InputError(
      `rule ${file}: ${field} does not compile: ${source.trim()}\n${errorMessage(err)}`,
      'Fix the CEL expression; the variables and helper functions are listed in docs/rules.md §2.',
    );
  }
}

function checkEvidencePath(file: string, template: string, derived: boolean): void {
  const sample = template.replace(/\{(podSpec|podTemplate|element)\}/g, 'spec').replace(/^\./, '');
  if (!derived && sample.includes('[*]')) {
    throw new InputError(
      `rule ${file}: evidence path "${template}" uses [*] but has no valueExpression`,
      'A path with [*] names many fields: give the value it stands for with valueExpression (docs/rules.md §3).',
    );
  }
  if (/\{[^}]*\}/.test(sample)) {
    throw new InputError(
      `rule ${file}: evidence path "${template}" uses an unknown placeholder`,
      'Placeholders are {podSpec}, {podTemplate} and {element} (docs/rules.md §3).',
    );
  }
  try {
    parsePath(sample.replace(/\[\*\]/g, '[0]'));
  } catch (err) {
    throw new InputError(`rule ${file}: evidence path "${template}": ${errorMessage(err)}`, 'See docs/rules.md §3.');
  }
}

/**
 * The value of an expression that needs no variable and no graph helper (CEL is pure, so evaluating it with an
 * empty context either fails on the first variable/helper it touches, or gives the value for every object).
 */
function constantValue(expression: CompiledExpression): { value: unknown } | undefined {
  try {
    return { value: expression({}) };
  } catch {
    return undefined;
  }
}

export function compileRule(file: string, raw: unknown): Rule {
  const parsed = RuleFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new InputError(`rule ${file} is invalid: ${issues}`, 'The rule file format is described in docs/rules.md §1.');
  }
  const def = parsed.data;
  const base = path.basename(file).replace(/\.ya?ml$/, '');
  if (base !== def.id) {
    throw new InputError(`rule ${file}: id "${def.id}" does not match the file name`, `Rename the file to ${def.id}.yaml.`);
  }
  for (const e of def.evidence) {
    checkEvidencePath(file, e.path, e.valueExpression !== undefined);
    if (e.path.includes('{element}') && !def.forEach) {
      throw new InputError(`rule ${file}: evidence path "${e.path}" uses {element} but the rule has no forEach`, 'See docs/rules.md §3.');
    }
  }
  const patch = def.remediation.patch;
  return {
    id: def.id,
    title: def.title,
    category: def.category,
    severity: def.severity,
    description: def.description,
    rationale: def.rationale,
    references: def.references,
    kinds: def.match.kinds,
    excludeKinds: def.match.excludeKinds ?? [],
    forEach: def.forEach,
    file,
    definition: def,
    variables: (def.variables ?? []).map((v) => {
      const expression = compileField(file, `variables.${v.name}`, v.expression);
      return { name: v.name, expression, constant: constantValue(expression) };
    }),
    violation: compileField(file, 'violation', def.violation),
    severityExpression: def.severityExpression ? compileField(file, 'severityExpression', def.severityExpression) : undefined,
    messageExpression: def.messageExpression ? compileField(file, 'messageExpression', def.messageExpression) : undefined,
    evidence: def.evidence.map((e, i) => ({
      path: e.path,
      message: e.message,
      value: e.valueExpression ? compileField(file, `evidence[${i}].valueExpression`, e.valueExpression) : undefined,
    })),
    remediationSummary: def.remediation.summary,
    patch: patch
      ? {
          type: patch.type,
          when: patch.when ? compileField(file, 'remediation.patch.when', patch.when) : undefined,
          body: patch.body ? compileField(file, 'remediation.patch.body', patch.body) : undefined,
          create: patch.create ? compileField(file, 'remediation.patch.create', patch.create) : undefined,
        }
      : undefined,
  };
}

export async function loadRuleFile(file: string): Promise<Rule> {
  let raw: unknown;
  try {
    raw = parseYaml(await readFile(file, 'utf8'));
  } catch (err) {
    throw new InputError(`rule ${file} is not valid YAML: ${errorMessage(err)}`, 'Fix the YAML syntax.', { cause: err });
  }
  return compileRule(file, raw);
}

async function ensureDir(dir: string, what: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new InputError(`${what} ${dir} is not a directory`, 'Pass a directory holding rule *.yaml files.');
  }
}

export async function loadRuleSet(options: LoadRuleSetOptions = {}): Promise<RuleSet> {
  const builtin = options.builtinDir ?? defaultRulesDir();
  const dirs = [builtin, ...(options.extraRuleDirs ?? []).map((d) => path.resolve(d))];
  const rules: Rule[] = [];
  const seen = new Map<string, string>();
  for (const [i, dir] of dirs.entries()) {
    await ensureDir(dir, i === 0 ? 'built-in rules directory' : 'rules directory');
    for (const file of await findRuleFiles(dir)) {
      const rule = await loadRuleFile(file);
      const previous = seen.get(rule.id);
      if (previous) {
        throw new InputError(`rule id "${rule.id}" is defined twice: ${previous} and ${file}`, 'Rule ids must be unique.');
      }
      seen.set(rule.id, file);
      rules.push(rule);
    }
  }
  rules.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { rules, dirs };
}

export interface RuleSummary {
  id: string;
  title: string;
  category: Category;
  severity: Severity;
  description: string;
  references: string[];
  file: string;
}

export function listRules(ruleSet: RuleSet): RuleSummary[] {
  return ruleSet.rules.map((r) => ({
    id: r.id,
    title: r.title,
    category: r.category,
    severity: r.severity,
    description: r.description,
    references: r.references,
    file: r.file,
  }));
}
