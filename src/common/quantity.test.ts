import { describe, expect, it } from 'vitest';
import { humanBytes, humanCpu, parseQuantity } from './quantity.js';

describe('quantities for people', () => {
  it('writes cores as CPUs, and millicores below one core', () => {
    expect(humanCpu(parseQuantity('3920m'))).toBe('3.92 CPU');
    expect(humanCpu(parseQuantity('6'))).toBe('6 CPU');
    expect(humanCpu(parseQuantity('300m'))).toBe('300m CPU');
    expect(humanCpu(parseQuantity('1500m'))).toBe('1.5 CPU');
  });

  it('writes bytes in binary units to three significant digits', () => {
    // A Node's allocatable memory as the kubelet reports it.
    expect(humanBytes(parseQuantity('14879124Ki'))).toBe('14.2 GiB');
    expect(humanBytes(parseQuantity('1088Mi'))).toBe('1.06 GiB');
    expect(humanBytes(parseQuantity('160Mi'))).toBe('160 MiB');
    expect(humanBytes(parseQuantity('24Gi'))).toBe('24 GiB');
    expect(humanBytes(parseQuantity('76224326324'))).toBe('71 GiB');
    expect(humanBytes(parseQuantity('512'))).toBe('512 B');
    // Just under a unit reads as that unit, not as "1024 MiB".
    expect(humanBytes(parseQuantity('1Gi') - 1)).toBe('1 GiB');
  });
});
