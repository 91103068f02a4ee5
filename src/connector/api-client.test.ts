import { describe, expect, it } from 'vitest';
import { DeadlineExceededError, backoffMs, isRetryableNetworkError, isRetryableStatus, retryAfterMs } from './api-client.js';
import { detectPlatform } from './platform.js';

describe('retry policy', () => {
  it('retries 429 and 5xx, not 4xx', () => {
    expect([429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 410].some(isRetryableStatus)).toBe(false);
  });

  it('retries connection resets, hang-ups and timeouts, not refused connections or the deadline', () => {
    expect(isRetryableNetworkError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryableNetworkError(new Error('socket hang up'))).toBe(true);
    expect(isRetryableNetworkError(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }))).toBe(true);
    expect(isRetryableNetworkError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(isRetryableNetworkError(new DeadlineExceededError())).toBe(false);
  });

  it('honours Retry-After seconds', () => {
    expect(retryAfterMs({ 'retry-after': '0' })).toBe(0);
    expect(retryAfterMs({ 'retry-after': '2' })).toBe(2000);
    expect(retryAfterMs({})).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': 'soon' })).toBeUndefined();
  });

  it('backs off exponentially with jitter, capped', () => {
    expect([1, 2, 3].map((a) => backoffMs(a, 250, () => 1))).toEqual([250, 500, 1000]);
    expect(backoffMs(3, 250, () => 0)).toBe(0);
    expect(backoffMs(20, 250, () => 1)).toBe(10_000);
  });
});

describe('detectPlatform', () => {
  const node = (labels: Record<string, string>, providerID?: string): any => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n', labels },
    spec: providerID ? { providerID } : {},
  });

  it('recognises managed platforms by version, labels, then providerID', () => {
    expect(detectPlatform('v1.27.3-eks-a5565ad', [])).toBe('eks');
    expect(detectPlatform('v1.27.3-gke.100', [])).toBe('gke');
    expect(detectPlatform('v1.27.3+k3s1', [])).toBe('k3s');
    expect(detectPlatform('v1.26.4', [node({ 'kubernetes.azure.com/cluster': 'x' })])).toBe('aks');
    expect(detectPlatform('v1.26.4', [node({}, 'aws:///eu-west-1a/i-1')])).toBe('aws');
    expect(detectPlatform('v1.26.4', [node({}, 'kind://docker/kind/kind-control-plane')])).toBe('kind');
    expect(detectPlatform(undefined, [node({})])).toBeUndefined();
  });
});
