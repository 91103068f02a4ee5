import { describe, expect, it } from 'vitest';
import { buildAnonymizer, createAnonymizer } from './anonymize.js';
import { bookstoreSnapshot, sampleFacts } from './test-support/fixtures.js';

/** Names from the recorded bookstore cluster that must never reach an LLM with --anonymize. */
const REAL_NAMES = [
  'bookstore',
  'monitoring',
  'inventory',
  'storefront',
  'recommender',
  'node-exporter',
  'inventory-5d8f9b7c6-zt4lx',
  'books.example.com',
  'books-tls',
  'fast-nvme',
  'ghcr.io/example/bookstore/inventory:latest',
  'ip-172-20-41-26.eu-west-1.compute.internal',
  '172.20.40.17',
  'https://bookstore-api.example.net:6443',
  'prod-eu-bookstore',
];

describe('buildAnonymizer', () => {
  const anonymizer = buildAnonymizer(bookstoreSnapshot());

  it('derives names, namespaces, nodes, images, hosts and referenced names from the snapshot', () => {
    const values = new Set(anonymizer.realValues());
    for (const name of REAL_NAMES) expect(values.has(name), name).toBe(true);
    expect(values.has('default')).toBe(false); // well-known names identify nothing
  });

  it('replaces every real name in facts and event text, and restores them exactly', () => {
    const facts = sampleFacts({ userContext: 'inventory is our checkout backend in bookstore; books.example.com is public' });
    const json = JSON.stringify(facts);
    const anonymized = JSON.stringify(anonymizer.anonymizeDeep(facts));
    for (const name of REAL_NAMES) {
      if (json.includes(name)) expect(anonymized.includes(name), name).toBe(false);
    }
    expect(anonymized).toMatch(/NAMESPACE_\d+/);
    expect(anonymized).toMatch(/IMAGE_\d+/);
    expect(JSON.stringify(anonymizer.restoreDeep(JSON.parse(anonymized)))).toBe(json);
  });

  it('replaces longest names first and only whole tokens', () => {
    const text = 'Back-off restarting failed container inventory in pod inventory-5d8f9b7c6-zt4lx_bookstore(8d854dfc)';
    const out = anonymizer.anonymize(text);
    expect(out).not.toMatch(/inventory|bookstore/);
    expect(anonymizer.restore(out)).toBe(text);
    const podToken = anonymizer.anonymize('inventory-5d8f9b7c6-zt4lx');
    expect(podToken).toMatch(/^NAME_\d+$/); // one token for the pod, not NAME_x-5d8f9b7c6-zt4lx
  });

  it('is stable: the same snapshot gives the same tokens', () => {
    const again = buildAnonymizer(bookstoreSnapshot());
    expect(again.anonymize('storefront in bookstore on books.example.com')).toBe(anonymizer.anonymize('storefront in bookstore on books.example.com'));
  });
});

describe('createAnonymizer', () => {
  it('takes the longest value at each word start, ending at a boundary', () => {
    const a = createAnonymizer([['shop', 'NAMESPACE'], ['shop-db', 'NAME'], ['shop-db-0', 'NAME']]);
    // tokens: NAME_1 = shop-db, NAME_2 = shop-db-0 (sorted), NAMESPACE_1 = shop
    const text = 'shop-db-0 shop-db-1 shop-dbx (shop) pod_shop.';
    expect(a.anonymize(text)).toBe('NAME_2 NAME_1-1 NAMESPACE_1-dbx (NAMESPACE_1) pod_NAMESPACE_1.');
    expect(a.restore(a.anonymize(text))).toBe(text);
  });

  it('does not touch words that merely contain a name', () => {
    const a = createAnonymizer([['api', 'NAME'], ['shop', 'NAMESPACE']]);
    expect(a.anonymize('apiVersion of api in shop, shopping')).toBe('apiVersion of NAME_1 in NAMESPACE_1, shopping');
    expect(a.restore('NAME_1 NAME_12 NAMESPACE_1')).toBe('api NAME_12 shop');
  });
});

describe('hosts, IP addresses and e-mail addresses found only in message text', () => {
  const anonymizer = buildAnonymizer(bookstoreSnapshot());
  const message =
    'dial tcp 10.96.14.7:5432: connect: connection refused (db-primary.payments.corp.internal, fd00:10:96::a1); ' +
    'page oncall-dba@acme-payments.com or see https://status.acme-payments.com/incidents; books.example.com is fine';

  it('replaces each by a stable token and restores it exactly', () => {
    const out = anonymizer.anonymize(message);
    for (const real of ['10.96.14.7', 'db-primary.payments.corp.internal', 'fd00:10:96::a1', 'oncall-dba', 'acme-payments', 'books.example.com']) {
      expect(out, real).not.toContain(real);
    }
    expect(out).toMatch(/dial tcp HOST_\d+:5432/);
    expect(out).toMatch(/page EMAIL_1 or see https:\/\/HOST_\d+\/incidents/);
    expect(anonymizer.restore(out)).toBe(message);
    expect(anonymizer.anonymize(message)).toBe(out); // the same value keeps its token
    expect(anonymizer.realValues()).toContain('oncall-dba@acme-payments.com');
  });

  it('leaves field paths, file names, versions, times and Kubernetes label prefixes alone', () => {
    const text = 'spec.template.spec.containers[0].image in values.yaml, v1.27.3 at 12:34:56, app.kubernetes.io/name, metadata.labels.app';
    expect(createAnonymizer([]).anonymize(text)).toBe(text);
  });
});
