/**
 * The finishing convention: the model's final message is a short answer followed by the SQL in a ```sql block.
 * The last such block is the answer's SQL; the rest of the text is the answer.
 */

const FENCE = /```[ \t]*([A-Za-z0-9_-]*)[^\n]*\n([\s\S]*?)```/g;
/** Reasoning models served by Ollama/vLLM (DeepSeek-R1, Qwen3…) put their thinking inline. */
const THINK = /<think>[\s\S]*?<\/think>/gi;

export interface FinalMessage {
  sql: string | null;
  answer: string;
}

export function parseFinalMessage(text: string): FinalMessage {
  const visible = text.replace(THINK, '');
  let sql: string | null = null;
  for (const match of visible.matchAll(FENCE)) {
    const lang = (match[1] ?? '').toLowerCase();
    const body = (match[2] ?? '').trim();
    // An unlabelled fence counts only when it plainly holds a query (models forget the label).
    if (lang === 'sql' || lang === 'sqlite' || (lang === '' && /^(select|with)\b/i.test(body))) {
      sql = cleanSql(body);
    }
  }
  const answer = visible
    .replace(FENCE, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { sql: sql === '' ? null : sql, answer };
}

/** Trailing semicolons off, whitespace trimmed: the sandbox wants exactly one statement. */
export function cleanSql(sql: string): string {
  return sql
    .trim()
    .replace(/;+\s*$/, '')
    .trim();
}

/** Whitespace-insensitive identity, to know whether the final SQL is one the tools already accepted. */
export function sqlKey(sql: string): string {
  return cleanSql(sql).replace(/\s+/g, ' ');
}
