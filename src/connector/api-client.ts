/**
 * A minimal GET client for the Kubernetes API. Authentication and TLS come from
 * @kubernetes/client-node (KubeConfig.applyToHTTPSOptions: CA, client certs, bearer tokens, exec
 * and OIDC plugins, proxies); the requests themselves are plain GETs by URL so one code path
 * lists every kind, with retries and an overall deadline.
 */
import http from 'node:http';
import https from 'node:https';
import type { ChildProcess } from 'node:child_process';
import type { KubeConfig } from '@kubernetes/client-node';

export interface ApiResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** Error codes of transient network failures worth retrying. */
const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED', 'EAI_AGAIN', 'UND_ERR_SOCKET']);
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

export const MAX_ATTEMPTS = 4;

/** The overall deadline passed. Not retried; the caller records the kind as failed. */
export class DeadlineExceededError extends Error {
  constructor() {
    super('deadline exceeded');
    this.name = 'DeadlineExceededError';
  }
}

/** One response was bigger than the client accepts: the kind is recorded as failed rather than exhausting memory. */
export class ResponseTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`the response was larger than ${Math.round(limitBytes / 2 ** 20)} MiB and was not read`);
    this.name = 'ResponseTooLargeError';
  }
}

/** A page of 500 objects is a few MiB; a response this big is a broken or hostile server, not a cluster. */
export const DEFAULT_MAX_RESPONSE_BYTES = 256 * 2 ** 20;

export function isRetryableNetworkError(err: unknown): boolean {
  if (err instanceof DeadlineExceededError) return false;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code && RETRYABLE_NETWORK_CODES.has(code)) return true;
  return /socket hang up/i.test((err as Error | undefined)?.message ?? '');
}

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status);
}

/** `Retry-After` in ms (seconds form only, which is what the apiserver sends); undefined if absent. */
export function retryAfterMs(headers: http.IncomingHttpHeaders): number | undefined {
  const raw = headers['retry-after'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** Exponential backoff with full jitter: random in [0, base * 2^(attempt-1)], capped. */
export function backoffMs(attempt: number, baseMs: number, random: () => number = Math.random, capMs = 10_000): number {
  return Math.round(random() * Math.min(capMs, baseMs * 2 ** (attempt - 1)));
}

export interface ApiClientOptions {
  /** Absolute time (ms since epoch) after which every request fails with DeadlineExceededError. */
  deadline: number;
  /** Idle timeout of one request, ms. */
  requestTimeoutMs?: number;
  /** First backoff step, ms (tests make it small). */
  retryBaseMs?: number;
  /** Called before each retry (progress/debug output). */
  onRetry?: (path: string, attempt: number, reason: string, delayMs: number) => void;
  /** Largest response body read, bytes (default DEFAULT_MAX_RESPONSE_BYTES). */
  maxResponseBytes?: number;
}

/**
 * client-node runs exec credential plugins (aws, gcloud, kubelogin, ...) with child_process.spawn and waits for them
 * without a timeout. Its ExecAuth keeps the spawn function as a field; wrapping it lets the deadline kill a plugin that
 * hangs instead of leaving it orphaned and the run stuck.
 */
function trackCredentialPlugins(kc: KubeConfig): Set<ChildProcess> {
  const running = new Set<ChildProcess>();
  const authenticators: unknown[] = (kc as unknown as { authenticators?: unknown[] }).authenticators ?? [];
  for (const auth of authenticators) {
    const holder = auth as { execFn?: (...args: unknown[]) => ChildProcess };
    if (typeof holder.execFn !== 'function') continue;
    const spawnPlugin = holder.execFn;
    holder.execFn = (...args: unknown[]) => {
      const child = spawnPlugin(...args);
      running.add(child);
      child.once('close', () => running.delete(child));
      return child;
    };
  }
  return running;
}

export class ApiClient {
  readonly server: string;
  private connection?: Promise<https.RequestOptions>;

  constructor(
    private readonly kc: KubeConfig,
    private readonly options: ApiClientOptions,
  ) {
    this.server = kc.getCurrentCluster()!.server.replace(/\/+$/, '');
  }

  /**
   * Agent (TLS, proxy) and auth headers from the kubeconfig, computed once per capture. Call it
   * first to surface credential-plugin errors (exec, OIDC) before any request.
   */
  connectionOptions(): Promise<https.RequestOptions> {
    this.connection ??= (async () => {
      const opts: https.RequestOptions = {};
      const plugins = trackCredentialPlugins(this.kc);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          for (const child of plugins) child.kill('SIGKILL');
          reject(new DeadlineExceededError());
        }, Math.max(0, this.remainingMs()));
      });
      try {
        await Promise.race([this.kc.applyToHTTPSOptions(opts), deadline]);
      } finally {
        clearTimeout(timer);
      }
      return opts;
    })();
    return this.connection;
  }

  remainingMs(): number {
    return this.options.deadline - Date.now();
  }

  /** One GET, no retries. Rejects on network errors and on the deadline. */
  async getOnce(path: string, accept: string, timeoutMs?: number): Promise<ApiResponse> {
    const remaining = this.remainingMs();
    if (remaining <= 0) throw new DeadlineExceededError();
    const conn = await this.connectionOptions();
    const url = new URL(this.server + path);
    const transport = url.protocol === 'http:' ? http : https;
    const idleTimeout = Math.min(timeoutMs ?? this.options.requestTimeoutMs ?? 30_000, remaining);
    return new Promise<ApiResponse>((resolve, reject) => {
      let deadlineHit = false;
      const deadlineTimer = setTimeout(() => {
        deadlineHit = true;
        req.destroy(new DeadlineExceededError());
      }, remaining);
      const finish = (fn: () => void) => {
        clearTimeout(deadlineTimer);
        fn();
      };
      const req = transport.request(
        url,
        {
          method: 'GET',
          agent: conn.agent,
          headers: { ...(conn.headers ?? {}), Accept: accept, 'User-Agent': 'clustergpt' },
          auth: conn.auth,
        },
        (res) => {
          const chunks: Buffer[] = [];
          const maxBytes = this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
          let received = 0;
          res.on('data', (c: Buffer) => {
            received += c.length;
            if (received > maxBytes) {
              chunks.length = 0;
              req.destroy(new ResponseTooLargeError(maxBytes));
              return;
            }
            chunks.push(c);
          });
          res.on('end', () =>
            finish(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') })),
          );
          res.on('error', (err) => finish(() => reject(deadlineHit ? new DeadlineExceededError() : err)));
        },
      );
      req.setTimeout(idleTimeout, () => {
        const err = Object.assign(new Error(`no answer within ${Math.round(idleTimeout / 1000)}s`), { code: 'ETIMEDOUT' });
        req.destroy(err);
      });
      req.on('error', (err) => finish(() => reject(deadlineHit ? new DeadlineExceededError() : err)));
      req.end();
    });
  }

  /**
   * GET with retries (max MAX_ATTEMPTS) on 429 (honouring Retry-After), 5xx and transient network
   * errors, with exponential backoff + jitter. Non-retryable statuses are returned, not thrown.
   */
  async get(path: string, accept = 'application/json', limits: { timeoutMs?: number; maxAttempts?: number } = {}): Promise<ApiResponse> {
    const base = this.options.retryBaseMs ?? 250;
    const maxAttempts = limits.maxAttempts ?? MAX_ATTEMPTS;
    for (let attempt = 1; ; attempt++) {
      let reason: string;
      let delay: number;
      try {
        const res = await this.getOnce(path, accept, limits.timeoutMs);
        if (!isRetryableStatus(res.status) || attempt >= maxAttempts) return res;
        reason = `HTTP ${res.status}`;
        delay = res.status === 429 ? (retryAfterMs(res.headers) ?? backoffMs(attempt, base)) : backoffMs(attempt, base);
      } catch (err) {
        if (!isRetryableNetworkError(err) || attempt >= maxAttempts) throw err;
        reason = (err as Error).message;
        delay = backoffMs(attempt, base);
      }
      if (delay >= this.remainingMs()) throw new DeadlineExceededError();
      this.options.onRetry?.(path, attempt, reason, delay);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
