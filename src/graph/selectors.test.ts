import { describe, expect, it } from 'vitest';
import { describeSelector, LabelIndex, matchesSelector } from './selectors.js';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'frontend' };

  it('matches matchLabels and every matchExpressions operator', () => {
    expect(matchesSelector(labels, { matchLabels: { app: 'web' } })).toBe(true);
    expect(matchesSelector(labels, { matchLabels: { app: 'db' } })).toBe(false);
    expect(matchesSelector(labels, { matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend', 'edge'] }] })).toBe(true);
    expect(matchesSelector(labels, { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['frontend'] }] })).toBe(false);
    expect(matchesSelector(labels, { matchExpressions: [{ key: 'missing', operator: 'NotIn', values: ['x'] }] })).toBe(true);
    expect(matchesSelector(labels, { matchExpressions: [{ key: 'app', operator: 'Exists' }] })).toBe(true);
    expect(matchesSelector(labels, { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] })).toBe(false);
    expect(matchesSelector(labels, { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['db'] }] })).toBe(false);
    expect(matchesSelector(undefined, {})).toBe(true);
  });

  it('describes selectors the way kubectl prints them', () => {
    expect(describeSelector({ matchLabels: { b: '2', a: '1' }, matchExpressions: [{ key: 'c', operator: 'DoesNotExist' }] })).toBe('a=1, b=2, !c');
  });

  it('index answers per namespace through posting lists', () => {
    const index = new LabelIndex<string>();
    index.add('a', { app: 'web', tier: 'fe' }, 'web-1');
    index.add('a', { app: 'web', tier: 'be' }, 'web-2');
    index.add('a', { app: 'db' }, 'db-1');
    index.add('b', { app: 'web' }, 'other-ns');
    expect(index.select('a', { matchLabels: { app: 'web' } })).toEqual(['web-1', 'web-2']);
    expect(index.select('a', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'be'] }] }).sort()).toEqual(['web-1', 'web-2']);
    expect(index.select('a', { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] })).toEqual(['db-1']);
    expect(index.select('a', {})).toEqual(['web-1', 'web-2', 'db-1']);
    expect(index.select('c', {})).toEqual([]);
  });
});
