/**
 * A scripted LLM server for tests: node:http on 127.0.0.1 (random port) speaking the OpenAI chat-completions
 * protocol (POST …/chat/completions, GET …/models) or the Anthropic Messages protocol (POST …/v1/messages).
 * Each POST takes the next reply from a queue (text, tool calls, an HTTP status, a hang, with optional delay), and
 * every request is recorded so tests can assert what the model saw. Our real client code runs end to end.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeProtocol = 'openai' | 'anthropic';

export interface ScriptedToolCall {
  name: string;
  arguments: Record<string, unknown>;
  id?: string;
}

export type ScriptedReply = { delayMs?: number } & (
  | { kind: 'text'; text: string }
  | { kind: 'tools'; calls: ScriptedToolCall[]; text?: string }
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Accept the request and never answer (until the client gives up or the server closes). */
  | { kind: 'hang' }
);

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (undefined for GET). */
  body: unknown;
}

export interface FakeLlm {
  protocol: FakeProtocol;
  /** OpenAI: the base URL to use as OPENAI_BASE_URL (…/v1). Anthropic: the origin to pass as baseUrl. */
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** POST requests only (the chat calls). */
  chats(): RecordedRequest[];
  enqueue(...replies: ScriptedReply[]): void;
  /** Replies not consumed yet. */
  pending(): number;
  close(): Promise<void>;
}

export interface FakeLlmOptions {
  protocol?: FakeProtocol;
  /** Ids returned by GET …/models (OpenAI protocol). */
  models?: string[];
  /** Status for GET …/models (e.g. 500 to simulate a broken listing). */
  modelsStatus?: number;
}

/** The environment that points a test server at this fake and makes its `test-model` the default. */
export function fakeLlmEnv(llm: FakeLlm): Record<string, string> {
  return { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'sk-test-key', DEFAULT_MODEL: 'test-model' };
}

/** A model reply that ends with one SQL block (the agent runs it as its final query), optionally `delayMs` late. */
export function sqlReply(sql: string, delayMs = 0): ScriptedReply {
  return { kind: 'text', text: `Here it is.\n\`\`\`sql\n${sql}\n\`\`\``, delayMs };
}

export async function startFakeLlm(options: FakeLlmOptions = {}): Promise<FakeLlm> {
  const protocol = options.protocol ?? 'openai';
  const queue: ScriptedReply[] = [];
  const requests: RecordedRequest[] = [];
  let callCounter = 0;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = raw === '' ? undefined : JSON.parse(raw);
      } catch {
        body = raw;
      }
      const path = req.url ?? '/';
      requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });

      if (req.method === 'GET' && path.endsWith('/models')) {
        const status = options.modelsStatus ?? 200;
        if (status !== 200) return send(res, status, { error: { message: 'models listing failed' } });
        return send(res, 200, {
          object: 'list',
          data: (options.models ?? []).map((id) => ({ id, object: 'model', owned_by: 'fake' })),
        });
      }
      const expected = protocol === 'openai' ? '/chat/completions' : '/v1/messages';
      if (req.method !== 'POST' || !path.endsWith(expected)) {
        return send(res, 404, { error: { message: `fake-llm: no route ${req.method} ${path}` } });
      }
      const reply = queue.shift();
      if (!reply) return send(res, 500, { error: { message: 'fake-llm: no scripted reply left' } });
      const respond = () => {
        if (reply.kind === 'hang') return;
        if (reply.kind === 'status') {
          return send(
            res,
            reply.status,
            reply.body ?? { error: { message: `scripted ${reply.status}` } },
            reply.headers,
          );
        }
        const calls = reply.kind === 'tools' ? reply.calls : [];
        const text = reply.kind === 'text' ? reply.text : (reply.text ?? '');
        const ids = calls.map((c) => c.id ?? `call_${++callCounter}`);
        send(
          res,
          200,
          protocol === 'openai' ? openaiBody(text, calls, ids) : anthropicBody(text, calls, ids),
        );
      };
      if (reply.delayMs) setTimeout(respond, reply.delayMs);
      else respond();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  return {
    protocol,
    url: protocol === 'openai' ? `${origin}/v1` : origin,
    port,
    requests,
    chats: () => requests.filter((r) => r.method === 'POST'),
    enqueue: (...replies) => {
      queue.push(...replies);
    },
    pending: () => queue.length,
    close: () =>
      new Promise<void>((resolve) => {
        // Hanging requests keep sockets open; drop them so close() returns.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function openaiBody(text: string, calls: ScriptedToolCall[], ids: string[]) {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    model: 'fake',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: calls.length > 0 && text === '' ? null : text,
          ...(calls.length > 0
            ? {
                tool_calls: calls.map((c, i) => ({
                  id: ids[i],
                  type: 'function',
                  function: { name: c.name, arguments: JSON.stringify(c.arguments) },
                })),
              }
            : {}),
        },
        finish_reason: calls.length > 0 ? 'tool_calls' : 'stop',
      },
    ],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  };
}

function anthropicBody(text: string, calls: ScriptedToolCall[], ids: string[]) {
  return {
    id: 'msg_fake',
    type: 'message',
    role: 'assistant',
    model: 'fake',
    content: [
      ...(text ? [{ type: 'text', text }] : []),
      ...calls.map((c, i) => ({ type: 'tool_use', id: ids[i], name: c.name, input: c.arguments })),
    ],
    stop_reason: calls.length > 0 ? 'tool_use' : 'end_turn',
    usage: { input_tokens: 10, output_tokens: 5 },
  };
}

/** A port nothing listens on (bound then released), for "connection refused". */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
