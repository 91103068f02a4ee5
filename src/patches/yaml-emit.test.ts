import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { toYaml } from './yaml-emit.js';

const library = (value: unknown) => stringify(value, { lineWidth: 0 });

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TRICKY_STRINGS = [
  '', ' ', 'a', 'app', 'nginx:1.25', 'a: b', 'a:', ':a', 'a #b', 'a#b', '#a', '- a', '-a', '-', '?', '? a', '.env', '...', '---',
  'true', 'True', 'TRUE', 'false', 'yes', 'no', 'on', 'off', 'null', 'Null', '~', 'NULL', '0', '123', '-1', '+1', '0o17', '0x1F',
  '1e3', '1.5', '.5', '1.', '.inf', '-.inf', '.nan', '500m', '512Mi', '1.2.3', '0.1.0', '1_000', '012', '/healthz', 'http',
  'RuntimeDefault', 'ALL', 'NET_RAW', 'app.kubernetes.io/name', 'it\'s', 'say "hi"', 'both \' and "', 'line\nbreak',
  'trailing ', ' leading', 'tab\there', 'a, b', '[x]', '{x}', '*ref', '&anchor', '!tag', '|', '>', '%x', '@x', '`x`', 'é', 'ü-x',
  'a\\b', 'C:\\dir', 'x=y', 'key=value:NoSchedule', '$(VAR)', '${VAR}', '<none>', 'a  b', 'x'.repeat(2000), '0.0.0.0/0', '::1',
  'localhost:8080', 'registry.example.com/app@sha256:abc', '=', '+', '^x', '(x)', ';x', '<x', '\\x', 'a\u0000b', 'a\u2028b',
];

function randomValue(next: () => number, depth: number): unknown {
  const r = next();
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
  if (depth > 3 || r < 0.45) {
    const s = next();
    if (s < 0.5) return pick(TRICKY_STRINGS);
    if (s < 0.6) return pick([0, 1, -1, 0.5, 250, 1e21, 3.14159, 2 ** 53]);
    if (s < 0.7) return next() < 0.5;
    if (s < 0.75) return null;
    // Random printable ASCII.
    return Array.from({ length: Math.floor(next() * 8) }, () => String.fromCharCode(32 + Math.floor(next() * 95))).join('');
  }
  if (r < 0.7) return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
  const obj: Record<string, unknown> = {};
  for (let i = Math.floor(next() * 4); i > 0; i--) obj[next() < 0.7 ? pick(['name', 'spec', 'a', 'b-c', 'x.y/z']) : (pick(TRICKY_STRINGS) as string)] = randomValue(next, depth + 1);
  return obj;
}

describe('toYaml', () => {
  it('writes exactly what yaml.stringify writes for typical patches', () => {
    const cases: unknown[] = [
      {},
      [],
      { spec: { template: { spec: { automountServiceAccountToken: false } } } },
      {
        spec: {
          template: {
            spec: {
              containers: [
                { name: 'app', resources: { limits: { memory: '512Mi' }, requests: { cpu: '250m', memory: '256Mi' } } },
                { name: 'sidecar', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } },
              ],
              securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
            },
          },
        },
      },
      { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'shop' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'web', 'app.kubernetes.io/name': 'web' } } } },
      { list: [[1, 2], [], [{}], [{ a: [] }], [[['deep']]]], empty: {}, n: null, t: true, f: 0.25 },
      [{ op: 'replace', path: '/spec/replicas', value: 2 }, { op: 'add', path: '/metadata/labels/app~1name', value: 'x' }],
      'just a string',
      42,
      null,
      { ['x'.repeat(1100)]: 1 },
      { a: undefined, b: [1, undefined] },
      { date: new Date(0) },
      { z: -0, n: [Number.NaN, Number.POSITIVE_INFINITY] },
    ];
    for (const value of cases) expect(toYaml(value)).toBe(library(value));
  });

  it('writes exactly what yaml.stringify writes for every tricky string, as a value, a key and a list item', () => {
    for (const s of TRICKY_STRINGS) {
      expect(toYaml({ k: s })).toBe(library({ k: s }));
      expect(toYaml({ [s]: 1 })).toBe(library({ [s]: 1 }));
      expect(toYaml([s, { [s]: [s] }])).toBe(library([s, { [s]: [s] }]));
    }
  });

  it('matches yaml.stringify and round-trips on random data', () => {
    const next = random(20261122);
    for (let i = 0; i < 3000; i++) {
      const value = randomValue(next, 0);
      const text = toYaml(value);
      expect(text).toBe(library(value));
      expect(parse(text)).toEqual(JSON.parse(JSON.stringify(value) ?? 'null'));
    }
  });
});
