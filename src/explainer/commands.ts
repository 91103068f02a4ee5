/**
 * The command allowlist for LLM answers. The only commands an answer may contain are byte-equal to the ones the
 * patch generator made (a remediation's dry-run or apply command); everything else that looks like a command or
 * code is rejected, wherever it is (prose, titles, list items, inline code, fences).
 *
 * The rule, precisely. In every string field of the answer (after anonymization is undone):
 *  0. Every exact occurrence of one of our generated commands (possibly several lines long) that stands alone —
 *     on its own line(s) or as a whole inline code span — is removed. What is left must contain nothing
 *     command-like:
 *  1. Fenced code blocks (``` or ~~~): any non-empty line left inside a fence.
 *  2. Inline code spans holding more than one identifier-like token (whitespace or shell characters), a
 *     program name, or a path. Single tokens (`resources.limits.memory`, `fix-abc123`, `256Mi`) and one
 *     `field: value` pair are not commands.
 *  3. Shell prompts at the start of a line: `$ `, `% `, `user@host:~$ `, `root@host# `, `PS C:\> `, `C:\> `.
 *  4. Text piped into an interpreter or a network tool (`| sh`, `| bash`, `| perl`, `| python`, `| iex`, ...).
 *  5. Tools named in ordinary prose too ("patch it with kubectl", "the helm chart") when followed by one of
 *     their real subcommands or a flag (kubectl delete, helm upgrade, docker run, ...), anywhere.
 *  6. A program (sudo, rm, curl, wget, nc, bash, sh, python, perl, powershell, chmod, chown, dd, mkfs, ...)
 *     at the start of a clause — a line, a sentence, after `,` `;` `:` `(` `|` `&&`, or after "run",
 *     "execute", "type", "then", "and", "or" — followed by an argument.
 *  7. Unmistakable shell syntax anywhere: `sudo …`, `rm -rf`, `chmod 777`, `nc -e`, `/bin/sh`, `/dev/tcp/`,
 *     `powershell -enc`, `dd if=`, `mkfs.ext4`, `$(…)`, `base64 -d`, `curl https://…`, a fork bomb.
 * Each finding is quoted up to the end of its inline code span or else of its line.
 */

/** Named in prose too: a command only with one of these subcommands, or a flag. */
const TOOL_SUBCOMMANDS: Record<string, string[]> = {
  kubectl: [
    'get', 'describe', 'apply', 'patch', 'delete', 'edit', 'scale', 'rollout', 'set', 'exec', 'run', 'create', 'annotate',
    'label', 'cordon', 'drain', 'uncordon', 'taint', 'logs', 'port-forward', 'cp', 'replace', 'expose', 'autoscale', 'debug',
    'top', 'auth', 'config', 'attach', 'wait', 'diff', 'kustomize', 'proxy', 'certificate', 'explain', 'api-resources', 'events',
    '-[-\\w]*',
  ],
  kustomize: ['build', 'edit', 'create', 'cfg'],
  helm: ['install', 'upgrade', 'uninstall', 'rollback', 'delete', 'template', 'repo', 'get', 'list', 'ls', 'status', 'pull', 'push', 'dependency', 'test', 'history', 'plugin', '-[-\\w]*'],
  docker: ['run', 'exec', 'pull', 'push', 'build', 'rm', 'rmi', 'stop', 'kill', 'login', 'cp', 'compose', '-[-\\w]*'],
  podman: ['run', 'exec', 'pull', 'push', 'build', 'rm', 'rmi', 'stop', 'kill', 'login', 'cp', '-[-\\w]*'],
  oc: ['get', 'apply', 'patch', 'delete', 'edit', 'scale', 'rollout', 'set', 'exec', 'create', 'adm', 'login', 'describe', 'logs', 'rsh', 'debug'],
  terraform: ['apply', 'plan', 'destroy', 'import', 'init', 'state', 'taint'],
};

/**
 * Programs that are never ordinary English words at the start of a clause (lower case, as typed). Words that are
 * (cat, echo, find, kill, mount, top, watch, export, install, make, kind) are left out: rules 5 and 7 catch their
 * dangerous forms.
 */
const PROGRAMS = [
  'sudo', 'su', 'doas', 'rm', 'rmdir', 'mv', 'cp', 'ln', 'dd', 'mkfs', 'fdisk', 'parted', 'shred', 'wipefs', 'chmod', 'chown',
  'chgrp', 'chattr', 'curl', 'wget', 'nc', 'ncat', 'netcat', 'socat', 'telnet', 'nmap', 'ssh', 'scp', 'sftp', 'rsync', 'bash',
  'sh', 'zsh', 'ksh', 'csh', 'tcsh', 'dash', 'python', 'python2', 'python3', 'perl', 'ruby', 'php', 'lua', 'powershell',
  'pwsh', 'cmd', 'eval', 'exec', 'xargs', 'nohup', 'setsid', 'base64', 'openssl', 'iptables', 'nft', 'systemctl', 'journalctl',
  'crontab', 'pkill', 'killall', 'shutdown', 'reboot', 'halt', 'poweroff', 'apt', 'apt-get', 'yum', 'dnf', 'apk', 'pip',
  'pip3', 'npm', 'npx', 'gem', 'git', 'aws', 'gcloud', 'az', 'eksctl', 'istioctl', 'crictl', 'ctr', 'nerdctl', 'kubeadm',
  'etcdctl', 'etcdutl', 'minikube', 'k3s', 'kubens', 'kubectx',
];

const INTERPRETERS = '(?:ba|z|k|c|tc|da)?sh|python[\\d.]*|perl|ruby|node|php|lua|pwsh|powershell(?:\\.exe)?|iex|invoke-expression|nc|ncat|netcat|socat|sudo|xargs|tee|base64|osascript|cmd(?:\\.exe)?';

const FENCE = /(^|\n)[ \t]*(```|~~~)[^\n]*\n([\s\S]*?)(?:\n[ \t]*\2[ \t]*(?=\n|$)|$)/g;
const INLINE_CODE = /`([^`\n]+)`/g;
const TOOL_INVOCATION = new RegExp(
  `(?<![\\w./-])(?:${Object.entries(TOOL_SUBCOMMANDS)
    .map(([tool, subs]) => `${tool}[ \\t]+(?:${subs.join('|')})(?![\\w-])`)
    .join('|')})[^\\n]*`,
  'g',
);
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Where a clause starts: a line (after list or quote markers and a backtick), a sentence, a separator, or a verb that introduces a command. */
const CLAUSE_START = String.raw`(?:^[ \t]*(?:(?:[-*+>]|\d+[.)])[ \t]+)*\`?|[.!?;:,(|]\s+\`?|[(|]\`?|&&\s*|\b(?:[Rr]un|[Ee]xecute|[Tt]ype|[Ee]nter|[Pp]aste|[Tt]hen|and|or)\s+\`?)`;
const ARGUMENT = String.raw`[ \t]+(?:-{1,2}[\w]|[/~.$'"]|\d|https?:|[a-z])`;
const PROGRAM_AT_CLAUSE_START = new RegExp(
  `${CLAUSE_START}((?:${PROGRAMS.map(escapeRegExp).join('|')})(?:\\.\\w+)?${ARGUMENT}[^\\n]*)`,
  'gm',
);
const PROMPT_LINE = /^[ \t]*(?:(?:[-*+]|\d+[.)])[ \t]+)*`?(?:\$|%|[\w.-]+@[\w.-]+(?::[^\s$#]*)?[$#]|PS(?: [A-Za-z]:\\[^>]*)?>|[A-Za-z]:\\[^>\n]*>)[ \t]+\S/;
const PIPE_INTO_INTERPRETER = new RegExp(`\\S[ \\t]*\\|[ \\t]*(?:sudo[ \\t]+(?:-\\S+[ \\t]+)*)?(?:${INTERPRETERS})(?![\\w-])`, 'i');
const SHELL_SYNTAX = [
  /\bsudo\s+\S/,
  /\brm\s+-[a-z]*[rf]/i,
  /\bchmod\s+(?:-R\s+)?(?:[0-7]{3,4}\b|[ugoa]*[-+=][rwxXst]+)/i,
  /\bchown\s+(?:-R\s+)?[\w.-]+:[\w.-]*/i,
  /\b(?:nc|ncat|netcat)\s+(?:-\w+\s+)*-[ec]\b/i,
  /\/bin\/(?:ba|z|da|k)?sh\b/,
  /\/dev\/(?:tcp|udp)\//,
  /\b(?:powershell|pwsh)(?:\.exe)?\s+-(?:e|ec|en|enc|encodedcommand|nop|noprofile|c|command|w|windowstyle)\b/i,
  /\bdd\s+(?:if|of)=/i,
  /\bmkfs(?:\.\w+)?\s+\S/i,
  /\$\([^)\n]*\)/,
  /\bbase64\s+(?:-d|--decode)\b/i,
  /\b(?:curl|wget)\s+(?:-|https?:|ftp:)/i,
  /:\(\)\s*\{\s*:\s*\|\s*:/,
];

/** Removes fenced blocks from text (after their contents were checked) so the other rules do not see them twice. */
function fencedBlocks(text: string): { blocks: string[]; rest: string } {
  const blocks: string[] = [];
  const rest = text.replace(FENCE, (_all, lead: string, _fence: string, body: string) => {
    blocks.push(body);
    return lead;
  });
  return { blocks, rest };
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
  return rest.replace(/(?<!`)``(?!`)/g, '');
}

/** A code span that names one thing (a field path, an id, a value, one `field: value`) rather than running something. */
function isPlainToken(code: string): boolean {
  const text = code.trim();
  if (!text) return true;
  const single = /^[\w.@\-[\]/=+]+$/.test(text) && !/^[/~.]/.test(text) && !PROGRAMS.includes(text.replace(/\.\w+$/, ''));
  const fieldValue = /^[\w.\-[\]/]+:\s*[\w.\-"'%]+$/.test(text);
  return single || fieldValue;
}

/** The text quoted for a hit at `index`: to the closing backtick of its inline code span, else to the line end. */
function quoteFrom(line: string, index: number): string {
  const openTicks = (line.slice(0, index).match(/`/g) ?? []).length;
  const rest = line.slice(index);
  if (openTicks % 2 === 1) {
    const close = rest.indexOf('`');
    return (close === -1 ? rest : rest.slice(0, close)).trim();
  }
  return rest.replace(/`/g, '').trim();
}

function commandsInLine(line: string): string[] {
  const found: string[] = [];
  for (const m of line.matchAll(INLINE_CODE)) if (!isPlainToken(m[1])) found.push(m[1].trim());
  if (found.length) return found;
  if (PROMPT_LINE.test(line)) return [line.trim()];
  const invocation = [...line.matchAll(TOOL_INVOCATION)].map((m) => quoteFrom(line, m.index ?? 0));
  if (invocation.length) return invocation;
  const program = [...line.matchAll(PROGRAM_AT_CLAUSE_START)].map((m) => quoteFrom(line, (m.index ?? 0) + m[0].length - m[1].length));
  if (program.length) return program.slice(0, 1);
  const syntax = SHELL_SYNTAX.map((pattern) => pattern.exec(line)).find((m) => m !== null);
  if (syntax) return [quoteFrom(line, syntax.index)];
  const pipe = PIPE_INTO_INTERPRETER.exec(line);
  // A Markdown table row is full of pipes; a pipe into an interpreter there is still caught by rule 6 or 7.
  if (pipe && !/^\s*\|/.test(line)) return [line.trim()];
  return [];
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
  for (const line of rest.split('\n')) {
    if (line.trim()) foreign.push(...commandsInLine(line));
  }
  return foreign;
}
