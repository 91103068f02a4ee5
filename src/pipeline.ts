/**
 * The audit pipeline, in the order of the product diagram:
 *
 *   connector | snapshot file | manifests → graph builder → rule engine + cost analyst + diagnosis
 *     → patch generator → explainer → reports
 *
 * Everything that can fail on user input (rules, config, prices) is loaded before the cluster is
 * contacted, so a typo in a rule does not cost a five-minute capture.
 */
import { captureCluster } from './connector/index.js';
import { readSnapshotChecked } from './snapshot/io.js';
import { applyNamespaceScope } from './snapshot/scope.js';
import { requireSomeObject } from './snapshot/non-empty.js';
import { loadManifests } from './manifests/index.js';
import { buildGraph } from './graph/index.js';
import { evaluateRulesDetailed, loadRuleSet, loadRunConfig } from './rule-engine/index.js';
import { analyzeCost, loadPriceOverrides } from './cost/index.js';
import { diagnose } from './diagnosis/index.js';
import { generateRemediations } from './patches/index.js';
import { buildAnonymizer, buildFacts, explain, healthFactOf, type ExplainerOptions } from './explainer/index.js';
import { assembleReport, writeReports, type ReportFormat } from './report/index.js';
import type { ConnectorOptions, InputProblem, Logger, NamespaceScope, Report, RuleEngineOptions, Snapshot } from './pipeline-types.js';
import { TOOL_VERSION } from './common/version.js';
import { collectGarbageAfterBigStage } from './common/memory.js';

export type AuditInput =
  | { type: 'cluster'; connector: ConnectorOptions }
  | { type: 'snapshot'; path: string; scope?: NamespaceScope }
  | { type: 'manifests'; paths: string[]; stdin?: NodeJS.ReadableStream; keepGoing?: boolean; scope?: NamespaceScope };

export interface AuditOptions {
  rules: RuleEngineOptions;
  /** --prices FILE */
  pricesPath?: string;
  explainer: Omit<ExplainerOptions, 'anonymizer'> & { anonymize?: boolean };
  formats: ReportFormat[];
  outDir: string;
}

export interface AuditResult {
  report: Report;
  writtenFiles: string[];
  inputProblems: InputProblem[];
  /** Wall-clock milliseconds per stage, in pipeline order (printed with --debug, used by the benchmark). */
  stageTimings: Array<{ stage: string; ms: number }>;
}

/** Runs one stage and records how long it took. */
function timed<T>(timings: AuditResult['stageTimings'], stage: string, run: () => T): T {
  const start = performance.now();
  const result = run();
  if (result instanceof Promise) {
    return result.then((value) => {
      timings.push({ stage, ms: performance.now() - start });
      return value;
    }) as T;
  }
  timings.push({ stage, ms: performance.now() - start });
  return result;
}

export async function acquireSnapshot(
  input: AuditInput,
  log: Logger,
): Promise<{ snapshot: Snapshot; problems: InputProblem[] }> {
  switch (input.type) {
    case 'cluster':
      return { snapshot: await captureCluster(input.connector, log), problems: [] };
    case 'snapshot': {
      const { snapshot, problems, warnings } = await readSnapshotChecked(input.path);
      for (const w of warnings) log.warn(`${w.file}: ${w.message}`);
      requireSomeObject(snapshot, problems, `the snapshot ${input.path}`);
      return { snapshot: input.scope ? applyNamespaceScope(snapshot, input.scope, 'the snapshot') : snapshot, problems };
    }
    case 'manifests': {
      const { snapshot, problems } = await loadManifests(input.paths, { stdin: input.stdin, keepGoing: input.keepGoing }, log);
      requireSomeObject(snapshot, problems, input.paths.map((p) => (p === '-' ? 'stdin' : p)).join(', '));
      return { snapshot: input.scope ? applyNamespaceScope(snapshot, input.scope, 'the manifests') : snapshot, problems };
    }
  }
}

export async function runAudit(input: AuditInput, options: AuditOptions, log: Logger): Promise<AuditResult> {
  const timings: AuditResult['stageTimings'] = [];
  const ruleSet = await timed(timings, 'load rules', () => loadRuleSet({ extraRuleDirs: options.rules.extraRuleDirs }));
  const { ruleConfig, appliedConfig } = loadRunConfig(options.rules, ruleSet.rules.map((r) => r.id), log);
  const prices = options.pricesPath ? await loadPriceOverrides(options.pricesPath) : undefined;

  // The snapshot and the graph are by far the biggest things in memory (about 800 MB for 150,000 pods): they are
  // locals of this function, so nothing holds them once it returns, and on big inputs a collection then (and one
  // after the graph is built, when reading the snapshot has left its garbage, and one after the rules, when building
  // the graph and evaluating the rules have left theirs) keeps the peak RSS down (src/common/memory.ts).
  const analyze = async () => {
    const { snapshot, problems } = await timed(timings, 'snapshot', () => acquireSnapshot(input, log));
    const graph = timed(timings, 'graph', () => buildGraph(snapshot));
    const objectCount = Object.values(snapshot.objects).reduce((n, list) => n + list.length, 0);
    collectGarbageAfterBigStage(objectCount);

    const { findings, errors: ruleErrors, checks, staleExemptions, notChecked } = timed(timings, 'rules', () =>
      evaluateRulesDetailed(ruleSet, snapshot, graph, options.rules, ruleConfig),
    );
    for (const e of staleExemptions) {
      log.warn(`${e.declaredOn}: stale exemption: ${e.rule}${e.namespace ? ` namespace ${e.namespace}` : ''}${e.kind ? ` kind ${e.kind}` : ''}${e.name ? ` name ${e.name}` : ''}${e.element ? ` element ${e.element}` : ''} matches no finding; remove it or fix its names`);
    }
    if (ruleErrors.length > 0) {
      // A rule that fails on one object must not hide the others' findings; say so instead of failing the run.
      const rules = [...new Set(ruleErrors.map((e) => e.ruleId))];
      log.warn(`${ruleErrors.length} rule evaluation error(s) in ${rules.join(', ')}; run with --debug for details`);
      for (const e of ruleErrors) log.debug(`rule ${e.ruleId} on ${e.object}: ${e.message} (in ${e.expression})`);
    }
    // Without this one the heap grows by some 300 MB of garbage before V8 collects on its own (full size: peak RSS
    // 1.23 GB with it, 1.29-1.38 GB without).
    collectGarbageAfterBigStage(objectCount);
    const cost = timed(timings, 'cost', () => analyzeCost(snapshot, graph, { prices }));
    const diagnoses = timed(timings, 'diagnosis', () => diagnose(snapshot, graph));
    log.progress(`analysis: ${findings.length} findings, ${diagnoses.length} diagnoses`);

    const remediations = timed(timings, 'patches', () => generateRemediations(findings, diagnoses));

    const reportWithoutExplanation = timed(timings, 'assemble', () =>
      assembleReport(
        {
          snapshot, graph, findings, diagnoses, cost, remediations,
          explanation: null, explanationMeta: null, inputProblems: problems, checks, staleExemptions, notChecked, appliedConfig,
          rules: ruleSet.rules.map((rule) => ({
            id: rule.id, title: rule.title, category: rule.category, severity: rule.severity,
            description: rule.description, rationale: rule.rationale, references: rule.references,
            remediation: rule.remediationSummary,
          })),
        },
        TOOL_VERSION,
      ),
    );
    const facts = buildFacts({
      findings: reportWithoutExplanation.findings,
      diagnoses,
      cost,
      remediations,
      graphSummary: {
        namespaces: reportWithoutExplanation.architecture.namespaces,
        workloads: reportWithoutExplanation.architecture.workloads,
        exposurePaths: reportWithoutExplanation.architecture.exposurePaths.length,
        singlePointsOfFailure: reportWithoutExplanation.architecture.singlePointsOfFailure.map(
          (ref) => `${ref.kind} ${ref.namespace ?? ''}/${ref.name}`,
        ),
      },
      coverageGaps: reportWithoutExplanation.coverageGaps,
      health: healthFactOf(reportWithoutExplanation.summary.health),
      userContext: options.explainer.userContext,
    });
    const { anonymize, ...explainerOptions } = options.explainer;
    const anonymizer = anonymize ? buildAnonymizer(snapshot) : undefined;
    return { problems, reportWithoutExplanation, facts, explainerOptions, anonymizer };
  };
  const { problems, reportWithoutExplanation, facts, explainerOptions, anonymizer } = await analyze();
  collectGarbageAfterBigStage(reportWithoutExplanation.inventory.totalObjects);
  const { explanation, meta } = await timed(timings, 'explain', () => explain(facts, { ...explainerOptions, anonymizer }, log));

  const report: Report = { ...reportWithoutExplanation, explanation, explanationMeta: meta };
  const writtenFiles = await timed(timings, 'reports', () => writeReports(report, options.formats, options.outDir, log));
  for (const { stage, ms } of timings) log.debug(`stage ${stage}: ${ms.toFixed(0)} ms`);
  return { report, writtenFiles, inputProblems: problems, stageTimings: timings };
}
