/**
 * Checks an LLM answer before anything of it reaches a report. The LLM may explain and prioritise; it may
 * not invent ids, and it may not hand the user commands or patches: those come only from the patch
 * generator, and the answer cites them by remediation id.
 *
 * The command rule, precisely. In every string field of the answer (after anonymization is undone):
 *  0. First, every exact, byte-equal occurrence of one of our generated commands (a remediation's dry-run or
 *     apply command, possibly several lines long) that stands alone — on its own line(s) or as a whole inline
 *     code span — is removed. What is left must contain no code and no command:
 *  1. Fenced code blocks (``` or ~~~): any non-empty line left inside a fence is rejected (YAML, JSON, scripts,
 *     other commands).
 *  2. Tool invocations anywhere (prose, inline `code`, list items): istioctl, eksctl, crictl, kubeadm, kubens
 *     or kubectx followed by whitespace and a lowercase word or a flag; or kubectl (also with a flag),
 *     kustomize, helm, docker, podman, oc or terraform followed by one of their real subcommands
 *     (TOOL_SUBCOMMANDS). Each is rejected, quoted up to the end of its inline code span or else of its line.
 *     The bare tool name ("patch it with kubectl") is not a command.
 *  3. Shell lines: a line whose first word (after list markers `-`, `*`, `1.`, a `$ ` prompt and backticks) is
 *     a shell program (sudo, curl, wget, bash, sh, zsh, rm, chmod, chown, ssh, scp, apt, apt-get, yum, dnf,
 *     apk, pip, npm, aws, gcloud, az, export, echo, cat, systemctl, journalctl) followed by a space, a line
 *     starting with a `$ ` prompt, or text piping into a shell (`| sh`, `| bash`) is rejected unless it is
 *     one of ours (rule 0).
 */
import { ExplanationSchema, type Explanation } from '../schema/explanation.js';
import type { ExplainerFacts } from './facts.js';

/** Rarely named in prose: any following lowercase word or flag makes a command. */
const TOOL_NAMES = ['istioctl', 'eksctl', 'crictl', 'kubeadm', 'kubens', 'kubectx'];
/** Named in prose too ("patch it with kubectl", "the helm chart"): a command only with a real subcommand or a flag. */
const TOOL_SUBCOMMANDS: Record<string, string[]> = {
  kubectl: [
    'get', 'describe', 'apply', 'patch', 'delete', 'edit', 'scale', 'rollout', 'set', 'exec', 'run', 'create', 'annotate',
    'label', 'cordon', 'drain', 'uncordon', 'taint', 'logs', 'port-forward', 'cp', 'replace', 'expose', 'autoscale', 'debug',
    'top', 'auth', 'config', 'attach', 'wait', 'diff', 'kustomize', 'proxy', 'certificate', 'explain', 'api-resources', 'events',
    '-[-\\w]*',
  ],
  kustomize: ['build', 'edit', 'create', 'cfg'],
  helm: ['install', 'upgrade', 'uninstall', 'rollback', 'delete', 'template', 'repo', 'get', 'list', 'ls', 'status', 'pull', 'push', 'dependency', 'test', 'history'],
  docker: ['run', 'exec', 'pull', 'push', 'build', 'rm', 'rmi', 'stop', 'kill', 'login'],
  podman: ['run', 'exec', 'pull', 'push', 'build', 'rm', 'rmi', 'stop', 'kill', 'login'],
  oc: ['get', 'apply', 'patch', 'delete', 'edit', 'scale', 'rollout', 'set', 'exec', 'create', 'adm', 'login', 'describe', 'logs'],
  terraform: ['apply', 'plan', 'destroy', 'import', 'init', 'state', 'taint'],
};
const SHELL_PROGRAMS = [
  'sudo', 'curl', 'wget', 'bash', 'sh', 'zsh', 'rm', 'chmod', 'chown', 'ssh', 'scp', 'apt', 'apt-get', 'yum', 'dnf',
  'apk', 'pip', 'npm', 'aws', 'gcloud', 'az', 'export', 'echo', 'cat', 'systemctl', 'journalctl',
];

const FENCE = /(^|\n)[ \t]*(```|~~~)[^\n]*\n([\s\S]*?)(?:\n[ \t]*\2[ \t]*(?=\n|$)|$)/g;
const TOOL_INVOCATION = new RegExp(
  `(?<![\\w./-])(?:(?:${TOOL_NAMES.join('|')})[ \\t]+(?=[a-z-])|${Object.entries(TOOL_SUBCOMMANDS)
    .map(([tool, subs]) => `${tool}[ \\t]+(?:${subs.join('|')})(?![\\w-])`)
    .join('|')})[^\\n]*`,
  'g',
);
const SHELL_LINE = new RegExp(`^(?:[-*+]|\\d+[.)])?\\s*(?:\\$\\s+)?\`*\\s*(?:${SHELL_PROGRAMS.map((p) => p.replace('-', '\\-')).join('|')})[ \\t]`);
const PROMPT_LINE = /^(?:[-*+]|\d+[.)])?\s*`*\$\s+\S/;
const PIPE_TO_SHELL = /\|\s*(?:sudo\s+)?(?:ba|z)?sh\b/;

/** Removes fenced blocks from text (after their contents were checked) so rules 2 and 3 do not see them twice. */
function fencedBlocks(text: string): { blocks: string[]; rest: string } {
  const blocks: string[] = [];
  const rest = text.replace(FENCE, (_all, lead: string, _fence: string, body: string) => {
    blocks.push(body);
    return lead;
  });
  return { blocks, rest };
}

/** Where an invocation found at `index` ends: the closing backtick of its inline code span, else the line end. */
function invocationText(line: string, match: string, index: number): string {
  const before = line.slice(0, index);
  const openTicks = (before.match(/`/g) ?? []).length;
  if (openTicks % 2 === 1) {
    const close = match.indexOf('`');
    return (close === -1 ? match : match.slice(0, close)).trim();
  }
  return match.trim();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Removes every exact occurrence of one of our commands that stands alone: on its own line(s), or as a whole
 * inline code span. Our commands may span lines (`kubectl apply -f - <<'EOF'` … `EOF`). An occurrence with
 * anything appended (`… --force`) is not alone, stays, and is then caught as a foreign command.
 */
function stripOurCommands(text: string, allowed: ReadonlySet<string>): string {
  let rest = text;
  for (const command of [...allowed].sort((a, b) => b.length - a.length)) {
    const alone = new RegExp(`(^|\\n|\`)[ \\t]*${escapeRegExp(command)}[ \\t]*(?=$|\\n|\`)`, 'g');
    rest = rest.replace(alone, '$1');
  }
  return rest;
}

/**
 * Returns the commands (or code) in `text` that we did not generate, as found; empty when the text is clean.
 * `allowed` is the set of our generated commands.
 */
export function findForeignCommands(text: string, allowed: ReadonlySet<string>): string[] {
  const foreign: string[] = [];
  const { blocks, rest } = fencedBlocks(stripOurCommands(text, allowed));
  for (const block of blocks) {
    for (const line of block.split('\n').map((l) => l.trim()).filter(Boolean)) foreign.push(line);
  }
  for (const rawLine of rest.split('\n')) {
    const line = rawLine.trim();
    if (!line) continue;
    let lineHasInvocation = false;
    for (const m of line.matchAll(TOOL_INVOCATION)) {
      lineHasInvocation = true;
      foreign.push(invocationText(line, m[0], m.index ?? 0));
    }
    if (lineHasInvocation) continue;
    if (SHELL_LINE.test(line) || PROMPT_LINE.test(line) || PIPE_TO_SHELL.test(line)) foreign.push(line);
  }
  return foreign;
}

export type ValidationResult =
  | { ok: true; explanation: Explanation }
  | { ok: false; problems: string[] };

/** Every string in the answer, labelled with where it is, for the command check. */
function textFields(e: Explanation): [string, string][] {
  return [
    ['execSummary', e.execSummary],
    ['prText', e.prText],
    ...e.sreActions.flatMap((a, i): [string, string][] => [
      [`sreActions[${i}].title`, a.title],
      [`sreActions[${i}].rationale`, a.rationale],
    ]),
    ...e.items.flatMap((item, i): [string, string][] => [
      [`items[${i}].immediate`, item.immediate],
      [`items[${i}].longTerm`, item.longTerm],
    ]),
  ];
}

/** The generated commands an answer may quote. */
export function allowedCommands(facts: ExplainerFacts): Set<string> {
  return new Set(facts.remediations.flatMap((r) => r.commands.map((c) => c.trim())).filter(Boolean));
}

/**
 * Checks a parsed answer against the facts: shape, ids, remediation consistency and commands.
 * Problems are phrased so they can be sent back to the model as they are.
 */
export function validateExplanation(answer: unknown, facts: ExplainerFacts): ValidationResult {
  const parsed = ExplanationSchema.safeParse(answer);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    return { ok: false, problems: problems.map((p) => `The answer does not match the JSON schema: ${p}`) };
  }
  const explanation = parsed.data;
  const problems: string[] = [];
  if (!explanation.execSummary.trim()) problems.push('execSummary is empty.');
  if (!explanation.prText.trim()) problems.push('prText is empty.');
  const somethingToDo = facts.diagnoses.length > 0 || facts.findings.some((f) => f.severity === 'critical' || f.severity === 'high');
  if (somethingToDo && explanation.sreActions.length === 0) {
    problems.push('sreActions is empty, but the facts have diagnoses or critical/high findings: give at least one action.');
  }
  const findingIds = new Set(facts.findings.map((f) => f.id));
  const diagnosisIds = new Set(facts.diagnoses.map((d) => d.id));
  const remediations = new Map(facts.remediations.map((r) => [r.id, r]));

  explanation.sreActions.forEach((action, i) => {
    for (const id of action.findingIds) if (!findingIds.has(id)) problems.push(`sreActions[${i}] cites finding id "${id}", which is not in the facts.`);
    for (const id of action.diagnosisIds) if (!diagnosisIds.has(id)) problems.push(`sreActions[${i}] cites diagnosis id "${id}", which is not in the facts.`);
    if (action.findingIds.length === 0 && action.diagnosisIds.length === 0) {
      problems.push(`sreActions[${i}] cites no finding or diagnosis id; every action must cite at least one.`);
    }
    if (action.remediationId !== null) {
      const fix = remediations.get(action.remediationId);
      if (!fix) problems.push(`sreActions[${i}] cites remediation id "${action.remediationId}", which is not in the facts.`);
      else if (![...fix.findingIds, ...fix.diagnosisIds].some((id) => action.findingIds.includes(id) || action.diagnosisIds.includes(id))) {
        problems.push(`sreActions[${i}] cites remediation "${fix.id}", which fixes none of the findings/diagnoses the action cites.`);
      }
    }
  });

  const seen = new Set<string>();
  explanation.items.forEach((item, i) => {
    if (!findingIds.has(item.id) && !diagnosisIds.has(item.id)) problems.push(`items[${i}] has id "${item.id}", which is not a finding or diagnosis id in the facts.`);
    if (seen.has(item.id)) problems.push(`items[${i}] repeats id "${item.id}"; give one item per id.`);
    seen.add(item.id);
  });

  const allowed = allowedCommands(facts);
  for (const [field, text] of textFields(explanation)) {
    for (const command of findForeignCommands(text, allowed)) {
      problems.push(`${field} contains a command or code we did not generate: "${command.slice(0, 120)}". Do not write commands, code blocks or patches; cite the remediation id instead.`);
    }
  }
  return problems.length ? { ok: false, problems } : { ok: true, explanation };
}

/** Parses the model's message content as JSON, tolerating a ```json fence around the whole answer. */
export function parseAnswer(content: string | null | undefined): { ok: true; json: unknown } | { ok: false; problems: string[] } {
  if (!content || !content.trim()) return { ok: false, problems: ['The answer was empty; answer with one JSON object.'] };
  const unfenced = content.trim().replace(/^```(?:json)?\s*\n([\s\S]*?)\n```$/, '$1');
  try {
    return { ok: true, json: JSON.parse(unfenced) };
  } catch (err) {
    return { ok: false, problems: [`The answer is not valid JSON (${(err as Error).message}); answer with one JSON object only.`] };
  }
}
