import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { K8sObject } from '../schema/snapshot.js';
import {
  LAST_APPLIED_ANNOTATION,
  REDACTED_CREDENTIAL_ENV_VALUE,
  REDACTED_ENV_VALUE,
  isRedactedCredential,
  looksLikeCredentialValue,
  sanitizeObject,
} from './sanitize.js';

const RESPONSES = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'k8s-api', 'responses');

/** Items of a recorded list, with apiVersion/kind set the way the connector sets them. */
function recorded(file: string, apiVersion: string, kind: string): K8sObject[] {
  const body = JSON.parse(readFileSync(join(RESPONSES, file), 'utf8')).body;
  return body.items.map((item: any) => ({ ...item, apiVersion, kind }));
}

function byName(objects: K8sObject[], name: string): K8sObject {
  const found = objects.find((o) => o.metadata.name === name);
  if (!found) throw new Error(`no ${name}`);
  return found;
}

describe('sanitizeObject on recorded objects', () => {
  it('drops the last-applied annotation of a metadata-only Secret, which holds its data in clear text', () => {
    const [secret] = recorded('list-core-secrets-metadata-only.json', 'v1', 'Secret');
    expect(JSON.stringify(secret)).toContain('s3cr3t-never-leaks');
    const clean = sanitizeObject(secret);
    const text = JSON.stringify(clean);
    expect(text).not.toContain('s3cr3t-never-leaks');
    expect(text).not.toContain('managedFields');
    expect(clean.metadata.annotations).toBeUndefined(); // it was the only annotation
    expect(clean.metadata.name).toBe('db-credentials');
  });

  it('keeps Secret data keys but never values', () => {
    const secret: K8sObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'bookstore' },
      type: 'Opaque',
      data: { password: Buffer.from('s3cr3t-never-leaks').toString('base64'), username: 'Ym9va3M=' },
      stringData: { token: 'plain-token' },
    };
    const clean = sanitizeObject(secret);
    expect(clean.data).toEqual({ password: '', username: '' });
    expect(clean.stringData).toEqual({ token: '' });
    expect(clean.type).toBe('Opaque');
    expect(secret.data.username).toBe('Ym9va3M='); // input untouched
  });

  it('reduces ConfigMap data and binaryData to keys', () => {
    const configMaps = recorded('list-core-configmaps.json', 'v1', 'ConfigMap');
    const cm = sanitizeObject(byName(configMaps, 'storefront-config'));
    expect(Object.keys(cm.data).sort()).toEqual(['FEATURE_FLAGS', 'LOG_LEVEL']);
    expect(Object.values(cm.data)).toEqual(['', '']);
    expect(cm.metadata.annotations).toBeUndefined();
    const withBinary = sanitizeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' }, binaryData: { 'logo.png': 'iVBORw0K' } });
    expect(withBinary.binaryData).toEqual({ 'logo.png': '' });
  });

  it('masks literal env values in Pods and keeps valueFrom references', () => {
    const pods = recorded('list-core-pods.json', 'v1', 'Pod');
    const pod = sanitizeObject(pods.find((p) => p.metadata.name!.startsWith('storefront-'))!);
    const env = pod.spec.containers[0].env;
    expect(env).toEqual([
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'password' } } },
      { name: 'SESSION_SECRET', value: REDACTED_CREDENTIAL_ENV_VALUE },
    ]);
    expect(JSON.stringify(pod)).not.toContain('hunter2');
    expect(isRedactedCredential(env[1].value)).toBe(true);
  });

  it('masks env literals in Deployment templates and drops their last-applied copy too', () => {
    const deployments = recorded('list-apps-deployments.json', 'apps/v1', 'Deployment');
    const original = byName(deployments, 'storefront');
    expect(JSON.stringify(original)).toContain('hunter2-literal-in-manifest');
    const clean = sanitizeObject(original);
    expect(JSON.stringify(clean)).not.toContain('hunter2');
    expect(clean.metadata.annotations?.[LAST_APPLIED_ANNOTATION]).toBeUndefined();
    expect(clean.spec.template.spec.containers[0].env[1].value).toBe(REDACTED_CREDENTIAL_ENV_VALUE);
  });

  it('covers CronJob jobTemplate, initContainers and ephemeralContainers', () => {
    const cronJob: K8sObject = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'report', namespace: 'bookstore' },
      spec: {
        schedule: '0 3 * * *',
        jobTemplate: {
          spec: {
            template: {
              spec: {
                initContainers: [{ name: 'init', env: [{ name: 'MODE', value: 'nightly' }] }],
                containers: [{ name: 'main', env: [{ name: 'EMPTY', value: '' }, { name: 'API_KEY', value: 'abc' }] }],
                ephemeralContainers: [{ name: 'debug', env: [{ name: 'X', value: 'AKIAIOSFODNN7EXAMPLE' }] }],
              },
            },
          },
        },
      },
    };
    const spec = sanitizeObject(cronJob).spec.jobTemplate.spec.template.spec;
    expect(spec.initContainers[0].env[0].value).toBe(REDACTED_ENV_VALUE);
    expect(spec.containers[0].env[0].value).toBe(''); // empty stays empty
    expect(spec.containers[0].env[1].value).toBe(REDACTED_CREDENTIAL_ENV_VALUE); // by name
    expect(spec.ephemeralContainers[0].env[0].value).toBe(REDACTED_CREDENTIAL_ENV_VALUE); // by value
  });

  it('keeps Events as they are (messages are diagnosis evidence)', () => {
    const events = recorded('list-core-events.json', 'v1', 'Event');
    for (const event of events) {
      const clean = sanitizeObject(event);
      expect(clean.message).toBe(event.message);
      expect(clean.involvedObject).toEqual(event.involvedObject);
      expect(clean.metadata.managedFields).toBeUndefined();
    }
  });

  it('is idempotent and does not modify its input', () => {
    const inputs = [
      ...recorded('list-core-pods.json', 'v1', 'Pod'),
      ...recorded('list-apps-deployments.json', 'apps/v1', 'Deployment'),
      ...recorded('list-core-configmaps.json', 'v1', 'ConfigMap'),
      ...recorded('list-core-secrets-metadata-only.json', 'v1', 'Secret'),
    ];
    for (const obj of inputs) {
      const before = JSON.stringify(obj);
      const once = sanitizeObject(obj);
      expect(sanitizeObject(once)).toEqual(once);
      expect(JSON.stringify(obj)).toBe(before);
    }
  });

  it('keeps other annotations', () => {
    const clean = sanitizeObject({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', annotations: { [LAST_APPLIED_ANNOTATION]: '{}', 'team': 'books' } },
    });
    expect(clean.metadata.annotations).toEqual({ team: 'books' });
  });
});

describe('looksLikeCredentialValue', () => {
  it.each([
    'AKIAIOSFODNN7EXAMPLE',
    'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
    'xoxb-1234567890-abcdefghij',
    '-----BEGIN RSA PRIVATE KEY-----\nMIIE...',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    'postgres://books:pa55word@db:5432/books',
    'q8Zt3kLm9Xv2Rw7Yp4Nb6Hc1Jd5Fg0Ts',
  ])('flags %s', (value) => {
    expect(looksLikeCredentialValue(value)).toBe(true);
  });

  it.each(['info', 'production', 'http://inventory.bookstore.svc:9090/api', '/var/lib/data', '-Xmx512m -XX:+UseG1GC', 'feature-a,feature-b,feature-c'])(
    'does not flag %s',
    (value) => {
      expect(looksLikeCredentialValue(value)).toBe(false);
    },
  );
});

describe('credentials in messages (status, termination, events)', () => {
  const leakyPod = (): K8sObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'api-7d9f8b6c5-x2x4q', namespace: 'shop' },
    spec: { containers: [{ name: 'api', image: 'shop/api:1.2', env: [{ name: 'PORT', value: 8080 }, { name: 'DEBUG', value: true }] }] },
    status: {
      message: 'The node was low on resource: memory.',
      conditions: [{ type: 'Ready', status: 'False', message: 'containers with unready status: [api]' }],
      containerStatuses: [
        {
          name: 'api',
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container=api pod=api-7d9f8b6c5-x2x4q_shop' } },
          lastState: {
            terminated: {
              reason: 'Error',
              exitCode: 1,
              // FallbackToLogsOnError: the tail of the log
              message:
                'connecting to postgres://app:hunter2@db.shop.svc:5432/app\nDB_PASSWORD=s3cr3t-value\nAuthorization: Bearer abcdefghijklmnop123\n' +
                '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\naws key AKIAABCDEFGHIJKLMNOP\n{"api_key": "k-123-456"}\n' +
                'password: letmein\nfatal: exiting',
            },
          },
        },
      ],
    },
  });

  it('redacts connection-string passwords, KEY=value, bearer tokens, PEM blocks and cloud keys, keeping the words', () => {
    const clean = sanitizeObject(leakyPod());
    const message: string = clean.status.containerStatuses[0].lastState.terminated.message;
    for (const secret of ['hunter2', 's3cr3t-value', 'abcdefghijklmnop123', 'MIIEowIBAAKCAQEA', 'AKIAABCDEFGHIJKLMNOP', 'k-123-456', 'letmein']) {
      expect(message).not.toContain(secret);
    }
    expect(message).toContain('postgres://app:<redacted:credential-like>@db.shop.svc:5432/app');
    expect(message).toContain('DB_PASSWORD=<redacted:credential-like>');
    expect(message).toContain('fatal: exiting');
  });

  it('leaves the messages diagnosis reads as they are (pod names, reasons, registry errors)', () => {
    const clean = sanitizeObject(leakyPod());
    expect(clean.status.containerStatuses[0].state.waiting.message).toBe('back-off 5m0s restarting failed container=api pod=api-7d9f8b6c5-x2x4q_shop');
    expect(clean.status.message).toBe('The node was low on resource: memory.');
    const event: K8sObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e1', namespace: 'shop' },
      message:
        'Failed to pull image "registry.example.com/shop/api@sha256:3b5c0ea56f8d1d7e1b0f4a1f9b2c2b1a5e6f7d8c9b0a1f2e3d4c5b6a7f8e9d0c": ' +
        'failed to authorize: unauthorized: authentication required',
    };
    expect(sanitizeObject(event).message).toBe(event.message);
  });

  it('redacts credentials inside event messages and is idempotent', () => {
    const event: K8sObject = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e2', namespace: 'shop' }, message: 'probe failed: GET http://admin:pa55word@10.0.0.5/healthz' };
    const once = sanitizeObject(event);
    expect(once.message).toBe('probe failed: GET http://admin:<redacted:credential-like>@10.0.0.5/healthz');
    expect(sanitizeObject(once)).toEqual(once);
  });

  it('redacts env literals that are numbers or booleans', () => {
    const env = sanitizeObject(leakyPod()).spec.containers[0].env;
    expect(env).toEqual([
      { name: 'PORT', value: REDACTED_ENV_VALUE },
      { name: 'DEBUG', value: REDACTED_ENV_VALUE },
    ]);
  });
});

describe('pod template metadata', () => {
  it('drops a last-applied annotation from pod templates (Deployment, CronJob) as from the object itself', () => {
    const leak = JSON.stringify({ env: [{ name: 'DB_PASSWORD', value: 'hunter2-in-template' }] });
    const cron: K8sObject = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly', namespace: 'shop' },
      spec: {
        jobTemplate: {
          metadata: { annotations: { [LAST_APPLIED_ANNOTATION]: leak } },
          spec: { template: { metadata: { annotations: { [LAST_APPLIED_ANNOTATION]: leak, team: 'shop' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
        },
      },
    };
    const clean = sanitizeObject(cron);
    expect(JSON.stringify(clean)).not.toContain('hunter2-in-template');
    expect(clean.spec.jobTemplate.spec.template.metadata.annotations).toEqual({ team: 'shop' });
  });
});
