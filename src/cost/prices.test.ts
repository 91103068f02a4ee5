import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../common/errors.js';
import { builtInPriceModel, findListedPrice, PROVIDERS } from './price-model.js';
import { loadPriceOverrides } from './overrides.js';
import { splitNodePrice } from './node-pricing.js';

const dir = mkdtempSync(join(tmpdir(), 'clustergpt-prices-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('loadPriceOverrides', () => {
  it('reads every documented field', async () => {
    const path = file(
      'ok.yaml',
      [
        'source: ACME contract 2026',
        'unitPrices:',
        '  cpuPerVcpuHour: 0.025',
        '  memoryPerGiBHour: 0.003',
        'instanceTypes:',
        '  m6i.xlarge: 0.15',
        '  custom.big: { hourly: 1.2 }',
        'nodeHourly: 0.3',
        'nodes:',
        '  - name: gpu-1',
        '    hourly: 2.5',
        '  - labels: { pool: highmem }',
        '    hourly: 0.9',
      ].join('\n'),
    );
    const prices = await loadPriceOverrides(path);
    expect(prices).toMatchObject({
      file: path,
      source: 'ACME contract 2026',
      unitPrices: { cpuPerVcpuHour: 0.025, memoryPerGiBHour: 0.003 },
      instanceTypes: { 'm6i.xlarge': 0.15, 'custom.big': 1.2 },
      nodeHourly: 0.3,
      nodes: [{ name: 'gpu-1', hourly: 2.5 }, { labels: { pool: 'highmem' }, hourly: 0.9 }],
    });
  });

  it('names the file and the bad field', async () => {
    const path = file('bad.yaml', 'instanceTypes:\n  m6i.xlarge: cheap\n');
    const error = await loadPriceOverrides(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain(path);
    expect((error as InputError).message).toContain('instanceTypes.m6i.xlarge');
    expect((error as InputError).exitCode).toBe(2);
  });

  it('rejects unknown keys (a typo must not be silently ignored)', async () => {
    const error = await loadPriceOverrides(file('typo.yaml', 'nodeHourlyPrice: 0.3\n')).catch((e: unknown) => e);
    expect((error as InputError).message).toMatch(/nodeHourlyPrice/);
  });

  it('rejects negative prices and empty node rules', async () => {
    await expect(loadPriceOverrides(file('neg.yaml', 'nodeHourly: -1\n'))).rejects.toThrow(/nodeHourly/);
    await expect(loadPriceOverrides(file('rule.yaml', 'nodes:\n  - hourly: 1\n'))).rejects.toThrow(/nodes\.0.*name.*labels/);
  });

  it('reports a missing file and broken YAML as input errors', async () => {
    await expect(loadPriceOverrides(join(dir, 'nope.yaml'))).rejects.toThrow(/cannot read price file .*nope\.yaml: no such file/);
    await expect(loadPriceOverrides(file('broken.yaml', 'nodes: [\n'))).rejects.toBeInstanceOf(InputError);
    await expect(loadPriceOverrides(file('empty.yaml', ''))).rejects.toThrow(/is empty/);
  });
});

describe('the built-in price model', () => {
  const model = builtInPriceModel();

  it('loads and validates data/prices with sources, dates and the OpenCost defaults', () => {
    expect(model.defaults.cpuPerVcpuHour).toBe(0.031611);
    expect(model.defaults.memoryPerGiBHour).toBe(0.004237);
    for (const provider of PROVIDERS) {
      expect(model.providers[provider].source).toMatch(/https:\/\//);
      expect(model.providers[provider].date).toMatch(/^\d{4}-\d{2}/);
      expect(Object.keys(model.providers[provider].instanceTypes).length).toBeGreaterThan(20);
    }
  });

  it('has the common instance types at plausible per-vCPU prices', () => {
    for (const provider of PROVIDERS) {
      for (const [type, shape] of Object.entries(model.providers[provider].instanceTypes)) {
        // Catches a misplaced decimal point: on-demand x86/ARM VMs cost $0.005–$0.11 per vCPU-hour.
        const perVcpu = shape.hourly / shape.vcpu;
        expect(perVcpu, `${provider} ${type}`).toBeGreaterThan(0.005);
        expect(perVcpu, `${provider} ${type}`).toBeLessThan(0.11);
      }
    }
    expect(findListedPrice(model, 'm5.large', 'aws', 'us-east-1')?.hourly).toBe(0.096);
    expect(findListedPrice(model, 'n2-standard-4', 'gcp', 'us-central1')?.hourly).toBe(0.194236);
    expect(findListedPrice(model, 'standard_d2s_v3', 'azure', 'eastus')?.hourly).toBe(0.096);
    expect(findListedPrice(model, 'm6i.xlarge', undefined, 'us-west-2')).toMatchObject({ provider: 'aws', regionMatched: true });
  });
});

describe('splitNodePrice (OpenCost)', () => {
  it('splits so that capacity × unit prices equals the node price', () => {
    const rates = splitNodePrice(0.096, 2, 8, { cpuPerVcpuHour: 0.031611, memoryPerGiBHour: 0.004237 });
    expect(rates.memoryPerGiBHour).toBeCloseTo(0.004188224633950453, 15);
    expect(rates.cpuPerVcpuHour).toBeCloseTo(0.031247101464198197, 15);
    expect(2 * rates.cpuPerVcpuHour + 8 * rates.memoryPerGiBHour).toBeCloseTo(0.096, 12);
  });
});
