import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { createLogger, type Logger } from '../common/logger.js';
import { ExitCode, InputError, UserError, errorMessage } from '../common/errors.js';
import { TOOL_VERSION } from '../common/version.js';
import { SEVERITY_ORDER, SeveritySchema, severityRank, type Severity } from '../schema/finding.js';
import { runAudit, type AuditInput } from '../pipeline.js';
import { captureCluster } from '../connector/index.js';
import { writeSnapshot } from '../snapshot/io.js';
import { parseFormats } from '../report/index.js';
import { registerRulesCommand } from './rules-command.js';
import type { ConnectorOptions } from '../pipeline-types.js';

const EXIT_CODES_HELP = `
Exit codes:
  0  success (no finding at or above --fail-on)
  1  findings at or above the --fail-on severity
  2  usage or input error (bad flag, missing file, broken YAML, bad rule or config)
  3  cluster or API error (unreachable, credentials rejected, unknown context)
  4  internal error (a bug: please report it with --debug output)`;

interface GlobalOptions {
  quiet?: boolean;
  debug?: boolean;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

/** The cluster flags shared by `analyze` and `snapshot` (the context flag is named differently on each). */
function connectorOptions(
  opts: { kubeconfig?: string; namespace?: string[]; excludeNamespace?: string[]; timeout: number },
  context: string | undefined,
): ConnectorOptions {
  return {
    kubeconfig: opts.kubeconfig,
    context,
    namespaces: opts.namespace,
    excludeNamespaces: opts.excludeNamespace,
    timeoutMs: opts.timeout * 1000,
  };
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InvalidArgumentError('expected a number of seconds > 0');
  return seconds;
}

function parseSeverity(value: string): Severity {
  const parsed = SeveritySchema.safeParse(value.toLowerCase());
  if (!parsed.success) throw new InvalidArgumentError(`expected one of ${SEVERITY_ORDER.join(', ')}`);
  return parsed.data;
}

export function buildProgram(state: { exitCode: number; log?: Logger }): Command {
  const program = new Command();
  program
    .name('clustergpt')
    .description(
      'Audit a Kubernetes cluster, a saved snapshot or manifests: findings anchored to evidence, what is broken\n' +
        'right now and why, what it costs, and the exact patch that fixes it. Works offline; never changes a cluster.',
    )
    .version(TOOL_VERSION, '-V, --version', 'print the version')
    .option('-q, --quiet', 'no progress output on stderr')
    .option('--debug', 'print debug output and stack traces')
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) });

  const logFor = (cmd: Command): Logger => {
    const opts = cmd.optsWithGlobals<GlobalOptions>();
    state.log = createLogger({ quiet: opts.quiet, debug: opts.debug });
    return state.log;
  };

  program
    .command('analyze')
    .description(
      'Analyze a live cluster (default), a saved snapshot (--snapshot) or manifests (--manifests) and write reports.',
    )
    .option('--snapshot <file>', 'read a snapshot written by `clustergpt snapshot` (.json or .json.gz)')
    .option('--manifests <path...>', 'YAML/JSON files or directories (recursive); "-" reads stdin')
    .option('--keep-going', 'with --manifests: exit 0 even when some documents could not be loaded')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--kube-context <name>', 'kubeconfig context to use (default: current context)')
    .option('-n, --namespace <ns>', 'only these namespaces (repeatable or comma-separated)', collect)
    .option('--exclude-namespace <ns>', 'skip these namespaces (repeatable or comma-separated)', collect)
    .option('--timeout <seconds>', 'overall deadline for reading the cluster', parseSeconds, 120)
    .option('-o, --output <dir>', 'directory for the reports', './clustergpt-report')
    .option('-f, --format <list>', 'comma list of md, html, pdf, json, sarif, junit', 'md,json')
    .option('--fail-on <severity>', 'exit 1 when a non-exempted finding is at or above this severity', parseSeverity)
    .option('--rules <dir>', 'extra rules directory (repeatable)', collect)
    .option('--config <file>', 'exemptions and rule settings (default: ./.clustergpt.yaml when present)')
    .option('--no-exemptions', 'ignore exemption annotations and config (for CI: no self-exemption)')
    .option('--include-system-namespaces', 'also report findings in kube-system and other system namespaces')
    .option('--prices <file>', 'YAML price overrides (instance types, unit rates, flat node price)')
    .addOption(new Option('--llm <provider>', 'explain with an LLM instead of the built-in templates').choices(['openai']))
    .option('--model <name>', 'LLM model name (with --llm)', 'gpt-4o-mini')
    .option('--anonymize', 'replace names, namespaces, nodes, images and hosts with tokens before calling the LLM')
    .option('--no-cache', 'do not reuse cached LLM answers')
    .option('--context <text>', "your own notes for the LLM (e.g. 'black friday next week')")
    .addHelpText(
      'after',
      `
Examples:
  clustergpt analyze --snapshot snapshots/demo.json
  clustergpt analyze --manifests k8s/ --format md,sarif --fail-on high
  helm template my-chart | clustergpt analyze --manifests - --format json
  clustergpt analyze --kube-context prod -n shop --format md,html,pdf

LLM (optional): OPENAI_API_KEY, and OPENAI_BASE_URL for Ollama, vLLM, LM Studio or Azure OpenAI.`,
    )
    .action(async (opts, cmd: Command) => {
      const log = logFor(cmd);
      const formats = parseFormats(opts.format);
      if (opts.snapshot && opts.manifests) throw new InputError('use either --snapshot or --manifests, not both');
      let input: AuditInput;
      if (opts.snapshot) input = { type: 'snapshot', path: opts.snapshot };
      else if (opts.manifests) input = { type: 'manifests', paths: opts.manifests, stdin: process.stdin, keepGoing: opts.keepGoing };
      else
        input = {
          type: 'cluster',
          connector: connectorOptions(opts, opts.kubeContext),
        };
      const result = await runAudit(
        input,
        {
          rules: {
            extraRuleDirs: opts.rules,
            configPath: opts.config,
            noExemptions: opts.exemptions === false,
            includeSystemNamespaces: opts.includeSystemNamespaces,
          },
          pricesPath: opts.prices,
          explainer: {
            llm: opts.llm,
            model: opts.model,
            apiKey: process.env.OPENAI_API_KEY,
            baseURL: process.env.OPENAI_BASE_URL,
            cache: opts.cache,
            userContext: opts.context,
            anonymize: opts.anonymize,
          },
          formats,
          outDir: opts.output,
        },
        log,
      );
      printSummary(log, result.report, result.writtenFiles);
      for (const problem of result.inputProblems) {
        const where = problem.file ? `${problem.file}${problem.line ? `:${problem.line}` : ''}: ` : '';
        log.warn(`${where}${problem.message}`);
      }
      if (result.inputProblems.length > 0 && !opts.keepGoing) {
        throw new InputError(
          `${result.inputProblems.length} document(s) could not be loaded (the report covers the rest)`,
          'fix them, or pass --keep-going to accept a partial load',
        );
      }
      if (opts.failOn) {
        const threshold = severityRank(opts.failOn);
        const failing = result.report.findings.filter((f) => !f.exempted && severityRank(f.severity) >= threshold);
        if (failing.length > 0) {
          log.info(`${failing.length} finding(s) at or above ${opts.failOn}: exit 1`);
          state.exitCode = ExitCode.FINDINGS;
        }
      }
    });

  program
    .command('snapshot')
    .description('Read a live cluster and save a sanitized snapshot (no Secret data, no env values) to a file.')
    .requiredOption('-o, --output <file>', 'where to write the snapshot (.json, or .json.gz to compress)')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--context <name>', 'kubeconfig context to use (default: current context)')
    .option('-n, --namespace <ns>', 'only these namespaces (repeatable or comma-separated)', collect)
    .option('--exclude-namespace <ns>', 'skip these namespaces (repeatable or comma-separated)', collect)
    .option('--timeout <seconds>', 'overall deadline for reading the cluster', parseSeconds, 120)
    .addHelpText(
      'after',
      `
The snapshot is safe to hand to a consultant: Secrets are listed as metadata only, ConfigMap values
are reduced to their keys, literal env values are masked, and managedFields and the
last-applied-configuration annotation are dropped. Kinds that could not be read (403, 404, errors)
are recorded in its coverage list; they never abort the capture.

Examples:
  clustergpt snapshot -o prod.json.gz --context prod
  clustergpt analyze --snapshot prod.json.gz`,
    )
    .action(async (opts, cmd: Command) => {
      const log = logFor(cmd);
      const snapshot = await captureCluster(connectorOptions(opts, opts.context), log);
      await writeSnapshot(opts.output, snapshot);
      const objects = Object.values(snapshot.objects).reduce((n, list) => n + list.length, 0);
      const gaps = snapshot.coverage.filter((c) => c.status === 'forbidden' || c.status === 'failed');
      log.info(`wrote ${opts.output}: ${objects} objects${gaps.length ? `; not readable: ${gaps.map((g) => `${g.kind} (${g.status})`).join(', ')}` : ''}`);
    });

  registerRulesCommand(program, logFor);
  return program;
}

function printSummary(log: Logger, report: import('../schema/report.js').Report, files: string[]): void {
  const c = log.color;
  const s = report.summary;
  const sev = SEVERITY_ORDER.map((k) => `${s.bySeverity[k] ?? 0} ${k}`).join(', ');
  log.info(`${c.bold('risk')} ${s.riskScore}/100 (${s.riskGrade}) · ${s.totalFindings} findings (${sev}) · ${s.diagnoses} broken now`);
  if (report.cost) log.info(`${c.bold('cost')} $${report.cost.monthlyTotal.toFixed(2)}/month (${report.cost.method}, ${report.cost.confidence} confidence)`);
  if (files.length === 0) log.warn('no report written');
}

/** Entry point: returns the process exit code; never throws. */
export async function main(argv: string[]): Promise<number> {
  const state: { exitCode: number; log?: Logger } = { exitCode: ExitCode.OK };
  const program = buildProgram(state);
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv);
    return state.exitCode;
  } catch (err) {
    return reportError(err, debug);
  }
}

function reportError(err: unknown, debug: boolean): number {
  if (err instanceof CommanderError) {
    // help and version are "errors" to commander; their text is already printed
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    if (err.exitCode === 0) return 0;
    return ExitCode.INPUT;
  }
  const log = createLogger({ debug });
  const red = log.color.red;
  if (err instanceof UserError) {
    process.stderr.write(`${red('error:')} ${err.message}\n`);
    if (err.hint) process.stderr.write(`${log.color.dim('hint:')} ${err.hint}\n`);
    if (debug && err.cause) process.stderr.write(`${String((err.cause as Error)?.stack ?? err.cause)}\n`);
    return err.exitCode;
  }
  process.stderr.write(`${red('internal error:')} ${errorMessage(err).split('\n')[0]}\n`);
  if (debug) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  else process.stderr.write(`${log.color.dim('hint:')} this is a bug in clustergpt; run again with --debug and report the output\n`);
  return ExitCode.INTERNAL;
}
