import { InputError } from '../common/errors.js';
import type { InputProblem } from '../pipeline-types.js';
import type { Snapshot } from '../schema/snapshot.js';

/**
 * An input with no object at all (empty stdin, an empty file, only `---` or comments, an empty snapshot) is an input
 * error, never a clean report: `false | clustergpt analyze --manifests - --fail-on low` must not pass a CI gate.
 */
export function requireSomeObject(snapshot: Snapshot, problems: readonly InputProblem[], where: string): void {
  if (Object.values(snapshot.objects).some((list) => list.length > 0)) return;
  const first = problems[0];
  if (first) {
    const at = first.file ? `${first.file}${first.line ? `:${first.line}` : ''}: ` : '';
    throw new InputError(
      `no Kubernetes object could be loaded from ${where}: ${problems.length} ${snapshot.source.type === 'manifests' ? 'document(s)' : 'object(s)'} failed (${at}${first.message})`,
      'fix the documents; --keep-going accepts a partial load, not an empty one',
    );
  }
  throw new InputError(
    `${where} holds no Kubernetes objects (empty, or only comments and document separators)`,
    'check the file, or the command whose output was piped in (e.g. helm template … | clustergpt analyze --manifests -)',
  );
}

