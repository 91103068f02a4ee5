/**
 * Creating an output directory without fs.mkdir's `recursive` option: on procfs and sysfs (`-o /proc/x`) Node's
 * recursive mkdir retries forever (the kernel answers ENOENT for a parent that exists), so each missing level is made
 * on its own and every failure is one clear error.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { describeFsError } from './fs-errors.js';

export class DirectoryError extends Error {
  constructor(readonly dir: string, message: string) {
    super(message);
    this.name = 'DirectoryError';
  }
}

/** Makes `dir` and its missing parents; throws DirectoryError naming the level that could not be made. */
export async function ensureDirectory(dir: string): Promise<void> {
  const absolute = path.resolve(dir);
  const missing: string[] = [];
  for (let current = absolute; ; current = path.dirname(current)) {
    const stats = await stat(current).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw new DirectoryError(current, `cannot use ${current}: ${describeFsError(err)}`);
    });
    if (stats) {
      if (!stats.isDirectory()) throw new DirectoryError(current, `${current} is not a directory`);
      break;
    }
    missing.unshift(current);
    if (path.dirname(current) === current) break;
  }
  for (const level of missing) {
    try {
      await mkdir(level);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && (await stat(level).catch(() => undefined))?.isDirectory()) continue;
      throw new DirectoryError(level, `cannot create ${level}: ${describeFsError(err)}`);
    }
  }
}
