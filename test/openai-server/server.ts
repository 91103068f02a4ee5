/**
 * A local OpenAI-compatible server for tests: POST /v1/chat/completions answers with the real
 * response envelope (as api.openai.com sends it), and records every request so tests can assert on
 * what was sent (e.g. that no real name leaves the machine with --anonymize). Hostile modes: an answer that
 * never comes (`hangMs`), headers followed by a body that trickles forever (`dripMs`), an endless body without
 * a Content-Length (`streamBytes`), and any content at all, however large or false (`content`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Raw body text, exactly as received. */
  bodyText: string;
  /** Parsed JSON body (undefined if it was not JSON). */
  body: any;
}

/** What the handler wants sent back. */
export type FakeReply =
  /** The assistant message content, wrapped in a 200 chat.completion envelope. */
  | { content: string | null; refusal?: string; delayMs?: number }
  /** An HTTP error with an OpenAI-style error body. */
  | { status: number; message?: string; delayMs?: number }
  /** Never answer within the client's timeout. */
  | { hangMs: number }
  /** Send 200 and the headers, then one byte every `dripMs`, never finishing the body. */
  | { dripMs: number }
  /** Send 200 and `streamBytes` bytes of body in 64 KiB chunks, with no Content-Length (chunked). */
  | { streamBytes: number };

export type FakeHandler = (request: RecordedRequest, index: number) => FakeReply | Promise<FakeReply>;

export interface FakeOpenAI {
  /** Base URL to pass as baseURL (`http://127.0.0.1:PORT/v1`). */
  baseURL: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** The envelope of a non-streaming chat completion, as the OpenAI API returns it. */
export function completionEnvelope(content: string | null, model: string, refusal: string | null = null) {
  return {
    id: 'chatcmpl-fake0001',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal, annotations: [] },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 },
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-request-id': 'req_fake' });
  res.end(text);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startFakeOpenAI(handler: FakeHandler): Promise<FakeOpenAI> {
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const intervals = new Set<NodeJS.Timeout>();
  const server = createServer(async (req, res) => {
    const bodyText = await readBody(req);
    let body: any;
    try {
      body = JSON.parse(bodyText);
    } catch {
      body = undefined;
    }
    const recorded: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, bodyText, body };
    requests.push(recorded);
    if (req.method !== 'POST' || !req.url?.startsWith('/v1/chat/completions')) {
      sendJson(res, 404, { error: { message: `Unknown path ${req.url}`, type: 'invalid_request_error', code: null, param: null } });
      return;
    }
    const reply = await handler(recorded, requests.length - 1);
    if ('hangMs' in reply) {
      // Hold the connection open; the client times out first.
      const timer = setTimeout(() => res.destroyed || res.end(), reply.hangMs);
      timers.add(timer);
      return;
    }
    if ('dripMs' in reply) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), reply.dripMs);
      intervals.add(timer);
      return;
    }
    if ('streamBytes' in reply) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let left = reply.streamBytes;
      const pump = () => {
        while (left > 0 && !res.destroyed) {
          const piece = chunk.subarray(0, Math.min(chunk.length, left));
          left -= piece.length;
          if (!res.write(piece)) return void res.once('drain', pump);
        }
        if (!res.destroyed) res.end();
      };
      res.on('error', () => {});
      pump();
      return;
    }
    if (reply.delayMs) await sleep(reply.delayMs);
    if ('status' in reply) {
      sendJson(res, reply.status, {
        error: { message: reply.message ?? 'The server had an error while processing your request.', type: 'server_error', param: null, code: null },
      });
      return;
    }
    sendJson(res, 200, completionEnvelope(reply.content, body?.model ?? 'fake-model', reply.refusal ?? null));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      for (const t of intervals) clearInterval(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
