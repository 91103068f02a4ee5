import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { createLogger, printable, type Logger } from '../common/logger.js';
import { ExitCode, InputError, UserError, errorMessage } from '../common/errors.js';
import { TOOL_VERSION } from '../common/version.js';
import { SEVERITY_ORDER, SeveritySchema, severityRank, type Severity } from '../schema/finding.js';
import { runAudit, type AuditInput } from '../pipeline.js';
import { captureCluster } from '../connector/index.js';
import { writeSnapshot } from '../snapshot/io.js';
import { checkOutputTarget, coveragePhrase, healthPhrase, parseFormats } from '../report/index.js';
import { registerRulesCommand } from './rules-command.js';
import type { ConnectorOptions, NamespaceScope } from '../pipeline-types.js';

const EXIT_CODES_HELP = `
Exit codes:
  0  success (no finding at or above --fail-on)
  1  findings at or above the --fail-on severity
  2  usage or input error (bad flag, missing file, broken YAML, bad rule or config)
  3  cluster or API error (unreachable, credentials rejected, unknown context, nothing readable)
  4  internal error (a bug: please report it with --debug output)`;

interface GlobalOptions {
  quiet?: boolean;
  debug?: boolean;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

interface ClusterFlags {
  kubeconfig?: string;
  context?: string;
  kubeContext?: string;
  namespace?: string[];
  excludeNamespace?: string[];
  timeout: number;
}

/**
 * The cluster flags, with one meaning in every command (as in kubectl): `--context` is always the kubeconfig
 * context (`--kube-context` is accepted as an alias), `-n` and `--exclude-namespace` scope every input.
 */
function addClusterOptions(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--context <name>', 'kubeconfig context to read (default: the current context)')
    .addOption(new Option('--kube-context <name>', 'alias of --context').hideHelp())
    .option('-n, --namespace <ns>', 'only these namespaces (repeatable or comma-separated)', collect)
    .option('--exclude-namespace <ns>', 'skip these namespaces (repeatable or comma-separated)', collect)
    .option('--timeout <seconds>', 'overall deadline for reading the cluster', parseSeconds, 120);
}

function kubeContextOf(opts: ClusterFlags): string | undefined {
  if (opts.context !== undefined && opts.kubeContext !== undefined && opts.context !== opts.kubeContext) {
    throw new InputError(
      `--context "${opts.context}" and --kube-context "${opts.kubeContext}" name different contexts`,
      'give one of them (--kube-context is an alias of --context)',
    );
  }
  return opts.context ?? opts.kubeContext;
}

function namespaceScopeOf(opts: ClusterFlags): NamespaceScope {
  return { namespaces: opts.namespace ?? [], excludeNamespaces: opts.excludeNamespace ?? [] };
}

function connectorOptions(opts: ClusterFlags): ConnectorOptions {
  const scope = namespaceScopeOf(opts);
  return {
    kubeconfig: opts.kubeconfig,
    context: kubeContextOf(opts),
    namespaces: scope.namespaces,
    excludeNamespaces: scope.excludeNamespaces,
    timeoutMs: opts.timeout * 1000,
  };
}

/** Cluster flags that only mean something for a live cluster: refused with --snapshot/--manifests, never ignored. */
function refuseLiveOnlyFlags(opts: ClusterFlags, source: string): void {
  const given = [
    opts.kubeconfig !== undefined && '--kubeconfig',
    (opts.context ?? opts.kubeContext) !== undefined && '--context',
  ].filter((flag): flag is string => Boolean(flag));
  if (given.length > 0) {
    throw new InputError(
      `${given.join(' and ')} ${given.length > 1 ? 'choose' : 'chooses'} a live cluster, but the input is ${source}`,
      `drop ${given.join(' and ')}, or drop ${source} to read the cluster`,
    );
  }
}

/** A day: longer is a typo, and past about 24.8 days Node's timers overflow and fire at once. */
const MAX_TIMEOUT_SECONDS = 86_400;

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_TIMEOUT_SECONDS) {
    throw new InvalidArgumentError(`expected a number of seconds from 1 to ${MAX_TIMEOUT_SECONDS}`);
  }
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

  const analyze = program
    .command('analyze')
    .description(
      'Analyze a live cluster (default), a saved snapshot (--snapshot) or manifests (--manifests) and write reports.',
    )
    .option('--snapshot <file>', 'read a snapshot written by `clustergpt snapshot` (.json or .json.gz)')
    .option('--manifests <path...>', 'YAML/JSON files or directories (recursive); "-" reads stdin')
    .option('--keep-going', 'with --manifests or --snapshot: exit 0 even when some documents or objects could not be loaded');
  addClusterOptions(analyze)
    .option('-o, --output <dir>', 'directory for the reports, or - for stdout (one --format only)', './clustergpt-report')
    .option('-f, --format <list>', 'comma list of md, html, pdf, json, sarif, junit', 'md,json')
    .option('--fail-on <severity>', 'exit 1 when a non-exempted finding is at or above this severity, or when kinds could not be read', parseSeverity)
    .option('--allow-incomplete', 'with --fail-on: do not fail because some kinds could not be read (forbidden or failed)')
    .option('--rules <dir>', 'extra rules directory (repeatable)', collect)
    .option('--config <file>', 'exemptions and rule settings; read only when given (a ./.clustergpt.yaml is not read unasked)')
    .option('--no-exemptions', 'ignore exemption annotations and everything --config changes (for CI: no self-exemption)')
    .option('--include-system-namespaces', 'also report findings in kube-system and other system namespaces')
    .option('--prices <file>', 'YAML price overrides (instance types, unit rates, flat node price)')
    .addOption(new Option('--llm <provider>', 'explain with an LLM instead of the built-in templates').choices(['openai']))
    .option('--model <name>', 'LLM model name (with --llm)', 'gpt-4o-mini')
    .option('--anonymize', 'replace names, namespaces, nodes, images and hosts with tokens before calling the LLM')
    .option('--llm-timeout <seconds>', 'deadline for the whole LLM step, retries included; then the templates are used', parseSeconds, 60)
    .option('--no-cache', 'do not reuse cached LLM answers')
    .option('--notes <text>', "your own notes for the LLM, as background (e.g. 'black friday next week')")
    .addHelpText(
      'after',
      `
Examples:
  clustergpt analyze --snapshot snapshots/demo.json
  clustergpt analyze --manifests k8s/ --format md,sarif --fail-on high
  helm template my-chart | clustergpt analyze --manifests - --format json
  clustergpt analyze --context prod -n shop --format md,html,pdf
  clustergpt analyze --snapshot prod.json.gz -n shop --format json --output -

LLM (optional): OPENAI_API_KEY, and OPENAI_BASE_URL for Ollama, vLLM, LM Studio or Azure OpenAI.`,
    )
    .action(async (opts, cmd: Command) => {
      const log = logFor(cmd);
      const formats = parseFormats(opts.format);
      if (opts.snapshot && opts.manifests) throw new InputError('use either --snapshot or --manifests, not both');
      checkOutputTarget(formats, opts.output);
      let input: AuditInput;
      if (opts.snapshot) {
        refuseLiveOnlyFlags(opts, '--snapshot');
        input = { type: 'snapshot', path: opts.snapshot, scope: namespaceScopeOf(opts) };
      } else if (opts.manifests) {
        refuseLiveOnlyFlags(opts, '--manifests');
        input = { type: 'manifests', paths: opts.manifests, stdin: process.stdin, keepGoing: opts.keepGoing, scope: namespaceScopeOf(opts) };
      } else {
        input = { type: 'cluster', connector: connectorOptions(opts) };
      }
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
            timeoutMs: opts.llmTimeout * 1000,
            userContext: opts.notes,
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
          `${result.inputProblems.length} document(s) or object(s) could not be loaded (the report covers the rest)`,
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
        // A gate must not pass on what it could not see: kinds that failed or were forbidden (beyond the by-design
        // Secret denial) fail it too, unless the pipeline says a partial read is acceptable.
        const unread = result.report.summary.health.provisionalKinds;
        if (unread.length > 0 && !opts.allowIncomplete) {
          log.warn(`the audit is incomplete (not read: ${unread.join(', ')}): --fail-on fails it; pass --allow-incomplete to gate on what was read`);
          state.exitCode = ExitCode.FINDINGS;
        }
      }
    });

  const snapshotCommand = program
    .command('snapshot')
    .description('Read a live cluster and save a sanitized snapshot (no Secret data, no env values) to a file.')
    .requiredOption('-o, --output <file>', 'where to write the snapshot (.json, .json.gz to compress, - for stdout)');
  addClusterOptions(snapshotCommand)
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
      const snapshot = await captureCluster(connectorOptions(opts), log);
      await writeSnapshot(opts.output, snapshot);
      const objects = Object.values(snapshot.objects).reduce((n, list) => n + list.length, 0);
      const gaps = snapshot.coverage.filter((c) => c.status === 'forbidden' || c.status === 'failed');
      log.info(`wrote ${opts.output}: ${objects} objects${gaps.length ? `; not readable: ${gaps.map((g) => `${g.kind} (${g.status})`).join(', ')}` : ''}`);
    });

  registerRulesCommand(program, logFor);
  return program;
}

function printSummary(log: Logger, report: import('../schema/report.js').Report, files: string[]): void {
  const s = report.summary;
  const sev = SEVERITY_ORDER.map((k) => `${s.bySeverity[k] ?? 0} ${k}`).join(', ');
  const h = s.health;
  const checks = h.checks.evaluated > 0 ? ` · ${h.checks.passed} of ${h.checks.evaluated} checks passed` : '';
  const scale = h.status === 'graded' ? ' (higher is better, A best)' : '';
  log.info(`${healthPhrase(h)}${scale}${checks} · ${s.totalFindings} findings (${sev}) · ${s.diagnoses} broken now`, 'health');
  log.info(coveragePhrase(s.readCoverage), 'coverage');
  if (report.cost) log.info(`$${report.cost.monthlyTotal.toFixed(2)}/month (${report.cost.method}, ${report.cost.confidence} confidence)`, 'cost');
  if (files.length === 0) log.warn('no report written');
}

/**
 * A reader that closes the pipe early (`clustergpt rules list --json | head -1`) ends the program quietly, as with
 * other Unix tools: nothing more can be delivered, and a stack trace would be noise on the user's terminal.
 */
function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? ExitCode.OK);
    process.stderr.write(`error: cannot write to ${stream === process.stdout ? 'stdout' : 'stderr'}: ${err.message}\n`);
    process.exit(ExitCode.INPUT);
  });
}

/** Entry point: returns the process exit code; never throws. */
export async function main(argv: string[]): Promise<number> {
  endQuietlyOnClosedPipe(process.stdout);
  endQuietlyOnClosedPipe(process.stderr);
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

/** An error is one line and a hint one more (YAML and zod messages come with their own line breaks). */
function oneLine(text: string): string {
  return printable(text.trim().replace(/\s*\n\s*/g, '; '));
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
    process.stderr.write(`${red('error:')} ${oneLine(err.message)}\n`);
    if (err.hint) process.stderr.write(`${log.color.dim('hint:')} ${oneLine(err.hint)}\n`);
    if (debug && err.cause) process.stderr.write(`${String((err.cause as Error)?.stack ?? err.cause)}\n`);
    return err.exitCode;
  }
  process.stderr.write(`${red('internal error:')} ${printable(errorMessage(err).split('\n')[0] ?? '')}\n`);
  if (debug) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  else process.stderr.write(`${log.color.dim('hint:')} this is a bug in clustergpt; run again with --debug and report the output\n`);
  return ExitCode.INTERNAL;
}
