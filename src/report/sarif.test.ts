import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildSarif, renderSarif, sarifLevel } from './sarif.js';
import { emptyReport, fixtureReport, F_EXEMPT, F_PRIVILEGED, F_PROBE, D_CRASH, F_SPOF } from './test-support/fixture.js';

/** The SARIF fields GitHub code scanning and other viewers rely on. */
const Level = z.enum(['error', 'warning', 'note', 'none']);
const SarifSchema = z.object({
  $schema: z.string().url(),
  version: z.literal('2.1.0'),
  runs: z
    .array(
      z.object({
        tool: z.object({
          driver: z.object({
            name: z.literal('clustergpt'),
            version: z.string(),
            informationUri: z.string().url(),
            rules: z.array(
              z.object({
                id: z.string(),
                name: z.string(),
                shortDescription: z.object({ text: z.string().min(1) }),
                fullDescription: z.object({ text: z.string().min(1) }),
                help: z.object({ text: z.string(), markdown: z.string() }),
                defaultConfiguration: z.object({ level: Level }),
                properties: z.object({ tags: z.array(z.string()), 'security-severity': z.string().optional() }),
              }),
            ),
          }),
        }),
        results: z.array(
          z.object({
            ruleId: z.string(),
            ruleIndex: z.number().int().nonnegative(),
            level: Level,
            message: z.object({ text: z.string().min(1) }),
            locations: z
              .array(
                z.object({
                  physicalLocation: z
                    .object({
                      artifactLocation: z.object({ uri: z.string().min(1) }),
                      region: z.object({ startLine: z.number().int().positive() }).optional(),
                    })
                    .optional(),
                  logicalLocations: z.array(z.object({ fullyQualifiedName: z.string(), kind: z.string() })).optional(),
                }),
              )
              .min(1),
            partialFingerprints: z.object({ 'clustergpt/v1': z.string() }),
            suppressions: z.array(z.object({ kind: z.literal('inSource'), justification: z.string() })).optional(),
          }),
        ),
      }),
    )
    .length(1),
});

describe('SARIF writer', () => {
  const sarif = SarifSchema.parse(JSON.parse(renderSarif(fixtureReport())));
  const run = sarif.runs[0];
  const result = (fingerprint: string) => run.results.find((r) => r.partialFingerprints['clustergpt/v1'] === fingerprint)!;
  const rule = (id: string) => run.tool.driver.rules.find((r) => r.id === id)!;

  it('is SARIF 2.1.0 with the tool and one rule per rule id present', () => {
    expect(run.tool.driver.version).toBe('0.1.0');
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual([
      'diagnosis/crash-loop',
      'host-network',
      'missing-liveness-probe',
      'missing-resource-requests',
      'privileged-container',
      'single-replica',
    ]);
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
  });

  it('maps severities to levels and gives security rules a security-severity', () => {
    expect([sarifLevel('critical'), sarifLevel('high'), sarifLevel('medium'), sarifLevel('low'), sarifLevel('info')]).toEqual([
      'error',
      'error',
      'warning',
      'note',
      'note',
    ]);
    expect(rule('privileged-container')).toMatchObject({
      defaultConfiguration: { level: 'error' },
      properties: { tags: ['security'], 'security-severity': '9.5' },
    });
    expect(rule('host-network').properties['security-severity']).toBe('8.0');
    expect(rule('missing-liveness-probe').properties['security-severity']).toBeUndefined();
    expect(rule('single-replica').defaultConfiguration.level).toBe('note');
    expect(result(F_SPOF).level).toBe('note');
  });

  it('locates manifest findings by file and line, live findings by a logical location only', () => {
    expect(result(F_PRIVILEGED).locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'deploy/web.yaml' },
      region: { startLine: 22 },
    });
    // `./deploy/web.yaml` is normalised to a repository-relative path.
    expect(result(F_SPOF).locations[0].physicalLocation?.artifactLocation.uri).toBe('deploy/web.yaml');
    const live = result(F_PROBE).locations[0];
    expect(live.physicalLocation).toBeUndefined();
    expect(live.logicalLocations).toEqual([{ fullyQualifiedName: 'shop/Deployment/inventory', kind: 'resource' }]);
  });

  it('makes absolute manifest paths relative to the repository root', () => {
    const report = fixtureReport();
    report.findings[0].evidence[0].file = '/repo/k8s/web.yaml';
    const built = SarifSchema.parse(buildSarif(report, { baseDir: '/repo' }));
    expect(built.runs[0].results.find((r) => r.ruleId === 'privileged-container')?.locations[0].physicalLocation?.artifactLocation.uri).toBe(
      'k8s/web.yaml',
    );
  });

  it('fingerprints with the finding id and suppresses exempted findings in source', () => {
    expect(result(F_EXEMPT).suppressions).toEqual([
      {
        kind: 'inSource',
        justification: 'node metrics need the host network (exempted by annotation on DaemonSet monitoring/node-exporter)',
      },
    ]);
    expect(result(F_PRIVILEGED).suppressions).toBeUndefined();
  });

  it('reports diagnoses as results under diagnosis/<cause>', () => {
    expect(result(D_CRASH)).toMatchObject({
      ruleId: 'diagnosis/crash-loop',
      level: 'error',
      locations: [{ logicalLocations: [{ fullyQualifiedName: 'shop/Deployment/inventory', kind: 'resource' }] }],
    });
  });

  it('writes a valid empty run when there is nothing to report', () => {
    const empty = SarifSchema.parse(JSON.parse(renderSarif(emptyReport())));
    expect(empty.runs[0].results).toEqual([]);
    expect(empty.runs[0].tool.driver.rules).toEqual([]);
  });

  it('is deterministic', () => {
    expect(renderSarif(fixtureReport())).toBe(renderSarif(fixtureReport()));
  });

  it('describes each rule with its description, rationale, fix and documentation link from the rule catalogue', () => {
    const sarif = buildSarif(fixtureReport()) as any;
    const rule = sarif.runs[0].tool.driver.rules.find((r: { id: string }) => r.id === 'privileged-container');
    expect(rule.fullDescription.text).toContain('full access to the host devices');
    expect(rule.help.text).toContain('escaping it is one mount away');
    expect(rule.help.text).toContain('Fix: Remove securityContext.privileged');
    expect(rule.helpUri).toBe('https://kubernetes.io/docs/concepts/security/pod-security-standards/');
  });
});

describe('SARIF artifact URIs are valid URI references', () => {
  it('percent-encodes each path segment, keeps paths outside the repository absolute, and gives stdin no file', async () => {
    const { artifactUri } = await import('./sarif.js');
    const base = '/repo';
    expect(artifactUri('deploy/a#b c.yaml', { baseDir: base })).toBe('deploy/a%23b%20c.yaml');
    expect(artifactUri('/repo/deploy/100%.yaml', { baseDir: base })).toBe('deploy/100%25.yaml');
    expect(artifactUri('../elsewhere/x.yaml', { baseDir: base })).toBe('file:///elsewhere/x.yaml');
    expect(artifactUri('/etc/k8s/app.yaml', { baseDir: base })).toBe('file:///etc/k8s/app.yaml');

    const report = fixtureReport();
    const finding = report.findings.find((f) => f.evidence.some((e) => e.file))!;
    for (const e of finding.evidence) if (e.file) e.file = '<stdin>';
    const sarif = buildSarif(report, { baseDir: base }) as any;
    const result = sarif.runs[0].results.find((r: any) => r.ruleId === finding.ruleId && r.message.text.includes(finding.resource.name));
    expect(result.locations[0].physicalLocation).toBeUndefined();
    expect(result.locations[0].logicalLocations[0].fullyQualifiedName).toContain(finding.resource.name);
  });
});
