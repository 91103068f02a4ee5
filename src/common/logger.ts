import { Chalk, type ChalkInstance } from 'chalk';
import { printable } from './printable.js';

export { printable } from './printable.js';

/**
 * Progress and diagnostics go to stderr so stdout stays machine-readable. Colour only when stderr
 * is a TTY and NO_COLOR is unset (chalk's own detection, forced off for non-TTY streams).
 */
export interface Logger {
  /** Progress lines ("listing pods… 120"), hidden with --quiet. */
  progress(message: string): void;
  /** `label` (e.g. "health") is printed bold before the message; the message itself is printed as text only. */
  info(message: string, label?: string): void;
  warn(message: string): void;
  /** Only with --debug. */
  debug(message: string): void;
  readonly color: ChalkInstance;
}

export interface LoggerOptions {
  quiet?: boolean;
  debug?: boolean;
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
}

export function colorEnabled(stream: { isTTY?: boolean }): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const color = new Chalk({ level: colorEnabled(stream) ? 1 : 0 });
  const write = (line: string) => stream.write(line + '\n');
  return {
    color,
    progress: (m) => {
      if (!options.quiet) write(color.dim(printable(m)));
    },
    info: (m, label) => {
      if (!options.quiet) write((label ? `${color.bold(printable(label))} ` : '') + printable(m));
    },
    warn: (m) => write(color.yellow('warning: ') + printable(m)),
    debug: (m) => {
      if (options.debug) write(color.gray('debug: ' + printable(m)));
    },
  };
}

/** A logger that prints nothing (tests, library use). */
export const silentLogger: Logger = {
  color: new Chalk({ level: 0 }),
  progress: () => {},
  info: () => {},
  warn: () => {},
  debug: () => {},
};
