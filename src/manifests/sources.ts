/**
 * Turns the paths a user typed (files, directories, `-`) into the list of inputs to parse, in a
 * deterministic order, with the file name shown in locations (relative to the working directory,
 * forward slashes).
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InputError, errorMessage } from '../common/errors.js';

export interface ManifestSource {
  /** The name used in locations and problems: `demos/bookstore/app.yaml`, or `<stdin>`. */
  file: string;
  read(): Promise<string>;
}

export const STDIN_NAME = '<stdin>';
const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];
const SKIPPED_DIRECTORIES = new Set(['node_modules']);

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

/** Manifest files under a directory, as paths relative to it, sorted; hidden dirs and node_modules skipped. */
async function walkDirectory(root: string): Promise<string[]> {
  const found: string[] = [];
  const visited = new Set<string>();
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const real = await realpath(dir);
    if (visited.has(real)) return; // a symlink loop
    visited.add(real);
    const entries = await readdir(dir, { withFileTypes: true });
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
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readText(typed: string, absolute: string): Promise<string> {
  try {
    return await readFile(absolute, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read ${typed}: ${errorMessage(err)}`, undefined, { cause: err });
  }
}

/** Expands the typed paths into sources; throws InputError for a missing path or an empty directory. */
export async function resolveSources(paths: string[], stdin: NodeJS.ReadableStream | undefined): Promise<ManifestSource[]> {
  if (paths.length === 0) {
    throw new InputError('no manifests given', 'pass one or more files or directories, or - to read from stdin');
  }
  const sources: ManifestSource[] = [];
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
      sources.push({ file: STDIN_NAME, read: () => readStream(stream) });
      continue;
    }
    const absolute = resolve(typed);
    const info = await statOrThrow(typed, absolute);
    if (info.isDirectory()) {
      const files = await walkDirectory(absolute);
      if (files.length === 0) {
        throw new InputError(
          `no manifests found in directory: ${typed}`,
          'ClusterGPT reads *.yaml, *.yml and *.json files (hidden directories and node_modules are skipped)',
        );
      }
      const base = displayPath(typed);
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
      sources.push({ file, read: () => readText(typed, absolute) });
    }
  }
  return sources;
}
