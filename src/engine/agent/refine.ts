/**
 * Advanced mode: one chat call that turns the query result into a short plain answer in the question's language.
 * The model gets the question, the SQL and at most 20 rows (cells shortened), never the whole result.
 */
import { AppError } from '../../errors.js';
import type { ChatMessage } from '../models/types.js';
import { parseFinalMessage } from './final-sql.js';
import { refinePrompt } from './prompt.js';
import { samplingFor } from './sql-agent.js';
import { compactRow } from './tools.js';
import type { RefineAnswerOptions } from './types.js';

export const MAX_ROWS_TO_REFINE = 20;
const MAX_RESULT_CHARS = 8_000;

export async function refineAnswer(options: RefineAnswerOptions): Promise<string> {
  const { model, question, lang, sql, columns, row_count } = options;
  const rows = options.rows.slice(0, MAX_ROWS_TO_REFINE).map(compactRow);
  let result = JSON.stringify({ columns, rows });
  if (result.length > MAX_RESULT_CHARS) result = `${result.slice(0, MAX_RESULT_CHARS)}… (cut)`;
  const shownNote =
    row_count > rows.length
      ? `The result has ${row_count}${options.truncated ? '+' : ''} rows; only the first ${rows.length} are shown.`
      : `The result has ${row_count} rows, all shown.`;
  const messages: ChatMessage[] = [
    { role: 'system', content: refinePrompt(lang) },
    {
      role: 'user',
      content: `Question: ${question}\n\nSQL:\n${sql}\n\n${shownNote}\nResult (JSON):\n${result}`,
    },
  ];
  const reply = await model.chat(messages, {
    maxTokens: 400,
    ...samplingFor(model),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  // The answer text only: drop inline reasoning and any code block the model added despite the instructions.
  const answer = parseFinalMessage(reply.message.content).answer;
  if (answer === '') {
    throw new AppError('model_error', {
      provider: model.provider,
      detail: 'the model returned an empty answer',
    });
  }
  return answer;
}
