import { describe, expect, it } from 'vitest';
import { evidenceValue } from './evidence-redaction.js';
import { renderValue } from './paths.js';

const annotations = {
  'kubectl.kubernetes.io/last-applied-configuration': '{"stringData":{"password":"hunter2"}}',
  'example.com/db': 'postgres://app:hunter2@db:5432/app',
  'container.apparmor.security.beta.kubernetes.io/web': 'unconfined',
};

describe('evidenceValue', () => {
  it('never shows a pod template annotation value that sanitizing would have removed', () => {
    const shown = renderValue(evidenceValue(annotations, ['spec', 'template', 'metadata', 'annotations']));
    expect(shown).not.toContain('hunter2');
    expect(evidenceValue(annotations, ['spec', 'template', 'metadata', 'annotations'])).toMatchObject({
      'kubectl.kubernetes.io/last-applied-configuration': '<redacted:credential-like>',
      'container.apparmor.security.beta.kubernetes.io/web': 'unconfined',
    });
  });

  it('redacts a single annotation and annotations inside a bigger value', () => {
    expect(evidenceValue(annotations['example.com/db'], ['metadata', 'annotations', 'example.com/db'])).not.toContain('hunter2');
    const template = { metadata: { annotations }, spec: { containers: [] } };
    expect(JSON.stringify(evidenceValue(template, ['spec', 'template']))).not.toContain('hunter2');
    expect(template.metadata.annotations['example.com/db']).toContain('hunter2'); // the object itself is not changed
  });
});
