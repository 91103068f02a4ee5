import { describe, expect, it } from 'vitest';
import { evidenceLine } from './format.js';

describe('evidence lines', () => {
  it('shows a quantity field human-readable, the raw value staying in the evidence (report.json)', () => {
    const memory = { path: 'status.allocatable.memory', value: '14879124Ki', uid: 'node-1' };
    expect(evidenceLine(memory)).toBe('status.allocatable.memory = 14.2 GiB @ uid node-1');
    expect(memory.value).toBe('14879124Ki');
    expect(evidenceLine({ path: 'status.allocatable.cpu', value: '3920m' })).toBe('status.allocatable.cpu = 3.92 CPU');
    expect(evidenceLine({ path: 'spec.resources.requests.storage', value: '10Gi' })).toBe('spec.resources.requests.storage = 10 GiB');
    expect(evidenceLine({ path: 'spec.containers[0].resources.limits["hugepages-2Mi"]', value: '64Mi' })).toBe(
      'spec.containers[0].resources.limits["hugepages-2Mi"] = 64 MiB',
    );
  });

  it('leaves other values, and values that are not quantities, as they are', () => {
    expect(evidenceLine({ path: 'spec.replicas', value: '1' })).toBe('spec.replicas = 1');
    expect(evidenceLine({ path: 'spec.template.spec.containers[0].resources.limits.cpu', value: '<unset>' })).toBe(
      'spec.template.spec.containers[0].resources.limits.cpu = <unset>',
    );
    // A key named like a resource outside a resource map is not a quantity.
    expect(evidenceLine({ path: 'metadata.labels.memory', value: '2' })).toBe('metadata.labels.memory = 2');
    expect(evidenceLine({ path: 'spec.containers[0].resources.limits.memory', value: 'lots' })).toBe('spec.containers[0].resources.limits.memory = lots');
  });

  it('writes a derived value as what it is and what it comes from, never as path = value', () => {
    const line = evidenceLine({
      path: 'Pod[*].spec.containers[*].resources.requests',
      value: '300m CPU, 448 MiB requested by 2 pods',
      derived: true,
      message: 'sum of the requests of the pods running on this node',
    });
    expect(line).toBe(
      '300m CPU, 448 MiB requested by 2 pods (derived from Pod[*].spec.containers[*].resources.requests) — sum of the requests of the pods running on this node',
    );
    expect(line).not.toContain(' = ');
  });
});
