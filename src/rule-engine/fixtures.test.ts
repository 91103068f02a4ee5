/**
 * Discovers every rule under rules/ and runs its fixtures (docs/rules.md §5). A rule without a fixture file,
 * without a failing case or without a passing case fails the suite.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildGraph } from '../graph/index.js';
import { loadRuleSet, type Rule } from './loader.js';
import { evaluateRulesDetailed } from './evaluate.js';
import { FixtureFileSchema, type FixtureCase } from './rule-schema.js';
import { snapshotFromYaml } from './test-support/snapshot.js';
import { parsePath, renderValue, valueAt } from './paths.js';
import type { Finding } from '../schema/finding.js';
import type { Snapshot } from '../schema/snapshot.js';

const ruleSet = await loadRuleSet();

function fixturePathOf(rule: Rule): string {
  return rule.file.replace(/\.ya?ml$/, '.test.yaml');
}

function readFixtures(rule: Rule): FixtureCase[] {
  const file = fixturePathOf(rule);
  if (!existsSync(file)) return [];
  return FixtureFileSchema.parse(parseYaml(readFileSync(file, 'utf8'))).cases;
}

/** Every field evidence shows what its path holds on its object; a computed value is marked derived instead. */
function expectEvidenceResolves(f: Finding, snapshot: Snapshot): void {
  for (const e of f.evidence) {
    if (e.derived) {
      expect(e.value, `${f.ruleId} ${e.path}`).toBeDefined();
      continue;
    }
    expect(e.path, `${f.ruleId}: only a derived value may name many fields`).not.toContain('[*]');
    const ref = e.object ?? f.resource;
    const obj = (snapshot.objects[ref.kind] ?? []).find(
      (o) => o.metadata.name === ref.name && (o.metadata.namespace ?? '') === (ref.namespace ?? ''),
    );
    expect(obj, `${f.ruleId}: evidence object ${ref.kind}/${ref.name}`).toBeDefined();
    expect(e.value, `${f.ruleId}: ${e.path} on ${ref.kind}/${ref.name}`).toBe(renderValue(valueAt(obj, parsePath(e.path))));
  }
}

async function runCase(rule: Rule, c: FixtureCase) {
  const snapshot = await snapshotFromYaml(c.manifests, c.source ?? 'manifests');
  const graph = buildGraph(snapshot);
  const result = evaluateRulesDetailed(
    { rules: [rule], dirs: ruleSet.dirs },
    snapshot,
    graph,
    { noExemptions: true, includeSystemNamespaces: true },
    { config: {} },
  );
  return { ...result, snapshot };
}

it('loads the built-in rules', () => {
  expect(ruleSet.rules.length).toBeGreaterThan(0);
});

for (const rule of ruleSet.rules) {
  describe(`${rule.category}/${rule.id}`, () => {
    const cases = readFixtures(rule);
    it('has a failing and a passing fixture', () => {
      expect(existsSync(fixturePathOf(rule)), `missing ${fixturePathOf(rule)}`).toBe(true);
      expect(cases.some((c) => c.expect === 'fail'), 'no `expect: fail` case').toBe(true);
      expect(cases.some((c) => c.expect === 'pass'), 'no `expect: pass` case').toBe(true);
    });
    for (const c of cases) {
      it(`${c.expect}: ${c.name}`, async () => {
        const { findings, errors, snapshot } = await runCase(rule, c);
        expect(errors, 'expressions must not fail on fixtures').toEqual([]);
        const mine = findings.filter((f) => f.ruleId === rule.id);
        if (c.expect === 'pass') {
          expect(mine.map((f) => f.message)).toEqual([]);
        } else if (c.count !== undefined) {
          expect(mine.map((f) => f.message)).toHaveLength(c.count);
        } else {
          expect(mine.length).toBeGreaterThan(0);
        }
        for (const f of mine) {
          expect(f.evidence.length).toBeGreaterThan(0);
          expect(f.message).not.toBe('');
          if (c.severity) expect(f.severity, f.message).toBe(c.severity);
          if (c.messageIncludes) expect(f.message).toContain(c.messageIncludes);
          expectEvidenceResolves(f, snapshot);
        }
      });
    }
  });
}
