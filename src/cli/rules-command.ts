import type { Command } from 'commander';
import type { Logger } from '../common/logger.js';
import { InputError } from '../common/errors.js';
import path from 'node:path';
import { loadRuleSet, type Rule } from '../rule-engine/index.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function registerRulesCommand(program: Command, logFor: (cmd: Command) => Logger): void {
  const rules = program.command('rules').description('List and show the audit rules (built-in and --rules DIR).');

  rules
    .command('list')
    .description('A table of every rule: id, category, severity, title.')
    .option('--json', 'print an array of rule objects instead of a table')
    .option('--rules <dir>', 'also load rules from this directory (repeatable)', collect)
    .action(async (opts, cmd: Command) => {
      logFor(cmd);
      const ruleSet = await loadRuleSet({ extraRuleDirs: opts.rules });
      const all = ruleSet.rules;
      if (opts.json) {
        process.stdout.write(JSON.stringify(all.map(publicRule), null, 2) + '\n');
        return;
      }
      const rows = all.map((r) => [r.id, r.category, r.severity, r.title]);
      const header = ['ID', 'CATEGORY', 'SEVERITY', 'TITLE'];
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
      const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
      process.stdout.write([line(header), ...rows.map(line)].join('\n') + `\n\n${all.length} rules\n`);
    });

  rules
    .command('show')
    .description('Everything about one rule: description, rationale, references, condition, remediation.')
    .argument('<id>', 'rule id, e.g. missing-memory-limit')
    .option('--rules <dir>', 'also load rules from this directory (repeatable)', collect)
    .action(async (id: string, opts, cmd: Command) => {
      logFor(cmd);
      const ruleSet = await loadRuleSet({ extraRuleDirs: opts.rules });
      const all = ruleSet.rules;
      const rule = all.find((r) => r.id === id);
      if (!rule) {
        const close = all.filter((r) => r.id.includes(id) || id.includes(r.id)).map((r) => r.id);
        throw new InputError(`no rule with id "${id}"`, close.length ? `did you mean: ${close.join(', ')}` : 'run `clustergpt rules list` to see all ids');
      }
      const r = publicRule(rule);
      const out = [
        `${r.id}  (${r.category}, ${r.severity})`,
        r.title,
        '',
        r.description?.trim() ?? '',
        '',
        'Why it matters:',
        r.rationale?.trim() ?? '',
        '',
        `Applies to: ${(r.match ?? []).join(', ')}${r.forEach ? ` (evaluated for each of: ${r.forEach})` : ''}`,
        `Condition (CEL): ${r.violation}`,
        `Fix: ${r.remediation ?? ''}`,
        ...(r.references?.length ? ['', 'References:', ...r.references.map((u) => `  ${u}`)] : []),
        `Defined in: ${r.file}`,
      ];
      process.stdout.write(out.join('\n') + '\n');
    });
}

interface PublicRule {
  id: string;
  title: string;
  category: string;
  severity: string;
  description?: string;
  rationale?: string;
  references?: string[];
  match?: string[];
  forEach?: string;
  violation?: string;
  remediation?: string;
  file?: string;
}

/** The rule as users see it: the file as written, without compiled programs. */
function publicRule(rule: Rule): PublicRule {
  const def = rule.definition;
  return {
    id: rule.id,
    title: rule.title,
    category: rule.category,
    severity: rule.severity,
    description: rule.description,
    rationale: rule.rationale,
    references: rule.references,
    match: rule.kinds,
    forEach: rule.forEach,
    violation: def.violation,
    remediation: rule.remediationSummary,
    file: displayPath(rule.file),
  };
}

function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
