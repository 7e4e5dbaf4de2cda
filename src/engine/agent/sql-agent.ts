/**
 * The LLM SQL agent: a bounded tool loop. The model sees the schema (system prompt), may list/describe tables and
 * check/run SQL (seeing ≤ 5 rows), gets every SQL error back to correct itself, and finishes with a short answer
 * plus the SQL in a ```sql block (final-sql.ts). That SQL is verified with checkSql unless a tool already accepted
 * it; a final message without SQL is a refusal, except right after successful runs, when it is asked once more.
 */
import { cancelledError } from '../models/http.js';
import type { ChatMessage, ChatModel, ChatOptions } from '../models/types.js';
import { parseFinalMessage, sqlKey } from './final-sql.js';
import { AGENT_MESSAGES, historyReply, systemPrompt } from './prompt.js';
import { executeTool, TOOL_SPECS } from './tools.js';
import type { AgentStep, SqlAgentOptions, SqlAgentResult } from './types.js';

export const DEFAULT_MAX_STEPS = 8;
/** Follow-ups need the last few turns, not the whole session. */
const HISTORY_TURNS = 5;
/** Room for a statement and a short answer; keeps a runaway model cheap. */
const MAX_TOKENS_PER_CALL = 1_500;
const STEP_TEXT_CHARS = 500;

export async function runSqlAgent(options: SqlAgentOptions): Promise<SqlAgentResult> {
  const { model, question, lang, catalog, tools, signal } = options;
  const maxSteps = Math.max(1, options.maxSteps ?? DEFAULT_MAX_STEPS);
  const steps: AgentStep[] = [];
  const record = (step: AgentStep) => {
    steps.push(step);
    options.onStep?.(step);
  };

  const messages: ChatMessage[] = [
    { role: 'system', content: systemPrompt(catalog, lang, options.dialect ?? 'sqlite') },
  ];
  for (const turn of (options.history ?? []).slice(-HISTORY_TURNS)) {
    messages.push({ role: 'user', content: turn.question });
    messages.push({ role: 'assistant', content: historyReply(turn.sql) });
  }
  messages.push({ role: 'user', content: question });

  const chatOptions: ChatOptions = {
    tools: TOOL_SPECS,
    maxTokens: MAX_TOKENS_PER_CALL,
    ...samplingFor(model),
  };
  if (signal) chatOptions.signal = signal;
  /** Statements a tool accepted (ran or checked OK): a final SQL among them needs no second check. */
  const accepted = new Set<string>();
  let nudgedForSql = false;

  for (let step = 1; step <= maxSteps; step++) {
    throwIfAborted(signal);
    const { message, usage } = await model.chat(messages, chatOptions);
    messages.push(message);
    const calls = message.toolCalls ?? [];
    record({
      kind: 'model',
      step,
      text: shorten(message.content),
      tool_calls: calls.map((c) => c.name),
      ...(usage ? { usage } : {}),
    });

    if (calls.length > 0) {
      for (const call of calls) {
        throwIfAborted(signal);
        const outcome = await executeTool(call, tools, { signal });
        if (outcome.goodSql) accepted.add(sqlKey(outcome.goodSql));
        messages.push({
          role: 'tool',
          toolCallId: call.id,
          name: call.name,
          content: outcome.content,
          ...(outcome.ok ? {} : { isError: true }),
        });
        record({
          kind: 'tool',
          step,
          tool: call.name,
          input: call.arguments,
          ok: outcome.ok,
          summary: shorten(outcome.content),
        });
      }
      continue;
    }

    const final = parseFinalMessage(message.content);
    if (final.sql === null) {
      // Small models often answer from the rows they saw and forget the block: ask once, then take the text as
      // a refusal. Without any successful run, a text-only reply is the model declining the question.
      if (accepted.size > 0 && !nudgedForSql) {
        nudgedForSql = true;
        const reason = 'final answer without a ```sql block';
        record({ kind: 'retry', step, reason });
        messages.push({
          role: 'user',
          content:
            'Your final answer must end with the SQL you used in a ```sql block. Reply again with the short answer and the SQL block. If the question cannot be answered, say so without SQL.',
        });
        continue;
      }
      return { sql: null, steps, refused: final.answer || AGENT_MESSAGES.noAnswer[lang] };
    }

    if (!accepted.has(sqlKey(final.sql))) {
      const check = await checkFinal(final.sql, options);
      if (!check.ok) {
        record({ kind: 'retry', step, reason: `final SQL rejected: ${shorten(check.error)}` });
        messages.push({
          role: 'user',
          content: `The SQL in your answer failed: ${check.error}\nFix it (use check_sql or run_sql), then reply with the short answer and the corrected SQL in a \`\`\`sql block.`,
        });
        continue;
      }
      accepted.add(sqlKey(final.sql));
    }
    return final.answer ? { sql: final.sql, answer: final.answer, steps } : { sql: final.sql, steps };
  }

  return { sql: null, steps, refused: AGENT_MESSAGES.outOfSteps[lang](maxSteps) };
}

async function checkFinal(
  sql: string,
  options: SqlAgentOptions,
): Promise<{ ok: true } | { ok: false; error: string }> {
  try {
    return await options.tools.checkSql(sql, { signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted) throw cancelledError(options.signal.reason);
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Deterministic sampling where the model allows it: OpenAI's reasoning models (o1/o3/o4, gpt-5) reject any
 * temperature but the default.
 */
export function samplingFor(model: ChatModel): Pick<ChatOptions, 'temperature'> {
  if (model.provider === 'openai' && /^(o\d|gpt-5)/.test(model.id)) return {};
  return { temperature: 0 };
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError(signal.reason);
}

function shorten(text: string): string {
  return text.length > STEP_TEXT_CHARS ? `${text.slice(0, STEP_TEXT_CHARS)}…` : text;
}
