import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  cwd?: string;
  /** Written to the CLI's stdin, which is then closed; without it stdin is an empty pipe. */
  input?: string;
  env?: Record<string, string>;
  /** 'ignore' gives the CLI no stdin at all (as in CI, where stdin is closed). */
  stdin?: 'pipe' | 'ignore';
}

/**
 * Runs the built CLI (`node bin/clustergpt.js`, as a user would) with colours off and no LLM credentials.
 *
 * Always asynchronous: a synchronous spawn blocks the test worker's event loop for the whole CLI run, and on a busy
 * 2-core machine that starves vitest's worker RPC ("Timeout calling onTaskUpdate") although every test passed.
 */
export function runCli(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO, 'bin', 'clustergpt.js'), ...args], {
      cwd: options.cwd ?? REPO,
      env: { ...process.env, NO_COLOR: '1', OPENAI_API_KEY: '', OPENAI_BASE_URL: '', ...options.env },
      stdio: [options.stdin ?? 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr }));
    if (child.stdin) {
      // The CLI may exit before reading all of its input (an early usage error): that is not a test failure.
      child.stdin.on('error', () => {});
      child.stdin.end(options.input ?? '');
    }
  });
}

/** Kept for the tests that serve the API themselves; the same as runCli. */
export const runCliAsync = runCli;
