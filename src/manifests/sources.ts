/**
 * Turns the paths a user typed (files, directories, `-`) into the list of inputs to parse, in a
 * deterministic order, with the file name shown in locations (relative to the working directory,
 * forward slashes).
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { fstatSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InputError, errorMessage } from '../common/errors.js';

export interface ManifestSource {
  /** The name used in locations and problems: `demos/bookstore/app.yaml`, or `<stdin>`. */
  file: string;
  read(): Promise<string>;
}

export const STDIN_NAME = '<stdin>';
const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];
const SKIPPED_DIRECTORIES = new Set(['node_modules']);
/** The file names kustomize looks for in a directory (kustomize's konfig.RecognizedKustomizationFileNames). */
const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const HELM_CHART_FILE = 'Chart.yaml';

/**
 * A directory kubectl could not apply as it stands: a kustomization or a Helm chart is a recipe whose output is the
 * manifests (templates hold `{{ }}`, bases are patched by overlays), so its files are not read one by one.
 */
export interface SkippedInput {
  /** The directory (or file) as shown in messages. */
  path: string;
  type: 'kustomization' | 'helm-chart' | 'helm-values';
  /** The marker file that identified it (`kustomization.yaml`, `Chart.yaml`). */
  marker: string;
  /** What to run instead. */
  render: string;
}

export interface ResolvedSources {
  sources: ManifestSource[];
  skipped: SkippedInput[];
}

export function renderCommand(type: SkippedInput['type'], path: string): string {
  switch (type) {
    case 'kustomization':
      return `kustomize build ${path} | clustergpt analyze --manifests -`;
    case 'helm-chart':
      return `helm template NAME ${path} | clustergpt analyze --manifests -`;
    case 'helm-values':
      return `helm template NAME CHART -f ${path} | clustergpt analyze --manifests -`;
  }
}

export function describeSkipped(skipped: SkippedInput): string {
  const what =
    skipped.type === 'kustomization'
      ? `a kustomization (${skipped.marker})`
      : skipped.type === 'helm-chart'
        ? `a Helm chart (${skipped.marker})`
        : 'Helm values, not Kubernetes objects';
  return `skipped ${skipped.path}: ${what}; to audit what it renders, run \`${skipped.render}\``;
}

function skippedDirectory(names: readonly string[], shown: string): SkippedInput | undefined {
  const kustomization = KUSTOMIZATION_FILES.find((f) => names.includes(f));
  if (kustomization) return { path: shown, type: 'kustomization', marker: kustomization, render: renderCommand('kustomization', shown) };
  if (names.includes(HELM_CHART_FILE)) return { path: shown, type: 'helm-chart', marker: HELM_CHART_FILE, render: renderCommand('helm-chart', shown) };
  return undefined;
}

/** Forward slashes, no leading `./`; relative to cwd when inside it, otherwise as typed. */
export function displayPath(typed: string, cwd: string = process.cwd()): string {
  const absolute = resolve(cwd, typed);
  const rel = relative(cwd, absolute);
  const inside = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  const shown = inside ? rel : rel === '' ? '.' : isAbsolute(typed) ? absolute : rel;
  return shown.split(sep).join('/');
}

function isManifestFile(name: string): boolean {
  const lower = name.toLowerCase();
  return MANIFEST_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function statOrThrow(typed: string, absolute: string) {
  try {
    return await stat(absolute);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new InputError(`no such file or directory: ${typed}`, 'check the path; pass files, directories, or - for stdin', { cause: err });
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new InputError(`cannot read ${typed}: permission denied`, undefined, { cause: err });
    }
    throw new InputError(`cannot read ${typed}: ${errorMessage(err)}`, undefined, { cause: err });
  }
}

/**
 * Manifest files under a directory, as paths relative to it, sorted; hidden dirs and node_modules skipped, and
 * kustomizations and Helm charts (with everything below them) skipped into `skipped`.
 */
async function walkDirectory(root: string, shownRoot: string, skipped: SkippedInput[]): Promise<string[]> {
  const found: string[] = [];
  const visited = new Set<string>();
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const real = await realpath(dir);
    if (visited.has(real)) return; // a symlink loop
    visited.add(real);
    const entries = await readdir(dir, { withFileTypes: true });
    const shown = prefix ? (shownRoot === '.' ? prefix : `${shownRoot}/${prefix}`) : shownRoot;
    const recipe = skippedDirectory(
      entries.map((e) => e.name),
      shown,
    );
    if (recipe) {
      skipped.push(recipe);
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue; // hidden files and dirs (.git, .helm, editor swap files)
      const full = join(dir, entry.name);
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await stat(full).catch(() => undefined);
        isDir = target?.isDirectory() ?? false;
        isFile = target?.isFile() ?? false;
      }
      if (isDir) {
        if (!SKIPPED_DIRECTORIES.has(entry.name)) await walk(full, rel);
      } else if (isFile && isManifestFile(entry.name)) {
        found.push(rel);
      }
    }
  };
  await walk(root, '');
  return found.sort(compareText);
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    }
  } catch (err) {
    throw new InputError(`cannot read manifests from stdin: ${errorMessage(err)}`, 'pipe them in, e.g. `helm template . | clustergpt analyze --manifests -`', { cause: err });
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Why the process's stdin cannot be read, or undefined. Node gives a closed stdin (`<&-`, CI runners) /dev/null,
 * which reads as an empty input: that is said as such, not as an empty manifest set.
 */
export function closedStdinReason(fd: number = 0): string | undefined {
  try {
    const info = fstatSync(fd);
    if (info.isCharacterDevice() && info.rdev === statSync('/dev/null').rdev) return 'stdin is closed (or /dev/null)';
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EBADF' ? 'stdin is closed' : `stdin cannot be read (${errorMessage(err)})`;
  }
}

async function readText(typed: string, absolute: string): Promise<string> {
  try {
    return await readFile(absolute, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read ${typed}: ${errorMessage(err)}`, undefined, { cause: err });
  }
}

/**
 * Expands the typed paths into sources; throws InputError for a missing path, an empty directory, or an input that
 * is nothing but kustomizations and charts (a CI gate must not pass having checked nothing).
 */
export async function resolveSources(paths: string[], stdin: NodeJS.ReadableStream | undefined): Promise<ResolvedSources> {
  if (paths.length === 0) {
    throw new InputError('no manifests given', 'pass one or more files or directories, or - to read from stdin');
  }
  const sources: ManifestSource[] = [];
  const skipped: SkippedInput[] = [];
  const seen = new Set<string>();
  let stdinUsed = false;
  for (const typed of paths) {
    if (typed === '-') {
      if (stdinUsed) continue;
      stdinUsed = true;
      const stream = stdin ?? process.stdin;
      if ((stream as { isTTY?: boolean }).isTTY) {
        throw new InputError('- reads manifests from stdin, but stdin is a terminal', 'pipe them in, e.g. `helm template . | clustergpt analyze --manifests -`');
      }
      const closed = stream === process.stdin ? closedStdinReason() : undefined;
      if (closed) {
        throw new InputError(`- reads manifests from stdin, but ${closed}`, 'pipe them in, e.g. `helm template . | clustergpt analyze --manifests -`, or name the files');
      }
      sources.push({ file: STDIN_NAME, read: () => readStream(stream) });
      continue;
    }
    const absolute = resolve(typed);
    const info = await statOrThrow(typed, absolute);
    if (info.isDirectory()) {
      const base = displayPath(typed);
      const skippedBefore = skipped.length;
      const files = await walkDirectory(absolute, base, skipped);
      if (files.length === 0 && skipped.length > skippedBefore) continue; // decided below, once every path is known
      if (files.length === 0) {
        throw new InputError(
          `no manifests found in directory: ${typed}`,
          'ClusterGPT reads *.yaml, *.yml and *.json files (hidden directories and node_modules are skipped)',
        );
      }
      for (const rel of files) {
        const full = join(absolute, rel);
        if (seen.has(full)) continue;
        seen.add(full);
        const file = base === '.' ? rel : `${base}/${rel}`;
        sources.push({ file, read: () => readText(file, full) });
      }
    } else {
      if (seen.has(absolute)) continue;
      seen.add(absolute);
      const file = displayPath(typed);
      // A kustomization.yaml or Chart.yaml named directly stands for its directory.
      const recipe = skippedDirectory([basename(absolute)], displayPath(dirname(typed)));
      if (recipe) {
        skipped.push(recipe);
        continue;
      }
      sources.push({ file, read: () => readText(typed, absolute) });
    }
  }
  if (sources.length === 0 && skipped.length > 0) {
    const first = skipped[0];
    const what = first.type === 'kustomization' ? `a kustomization (${first.marker})` : `a Helm chart (${first.marker})`;
    const more = skipped.length > 1 ? ` and ${skipped.length - 1} more kustomization(s)/chart(s)` : '';
    throw new InputError(
      `nothing to analyze: ${first.path} is ${what}${more}, not rendered manifests`,
      `render it first: ${skipped.map((s) => s.render).join('; ')}`,
    );
  }
  return { sources, skipped };
}
