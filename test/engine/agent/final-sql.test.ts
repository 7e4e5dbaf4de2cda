import { describe, expect, it } from 'vitest';
import { parseFinalMessage } from '../../../src/engine/agent/final-sql.js';

describe('parseFinalMessage', () => {
  it('takes the last ```sql block as the SQL and the rest as the answer', () => {
    const text = 'Total: 10.\n\n```sql\nSELECT 1\n```\nand then\n```sql\nSELECT SUM(x)\nFROM t;\n```';
    expect(parseFinalMessage(text)).toEqual({
      sql: 'SELECT SUM(x)\nFROM t',
      answer: 'Total: 10.\n\nand then',
    });
  });

  it('accepts an unlabelled fence only when it holds a query', () => {
    expect(parseFinalMessage('x\n```\nWITH a AS (SELECT 1) SELECT * FROM a\n```').sql).toBe(
      'WITH a AS (SELECT 1) SELECT * FROM a',
    );
    expect(parseFinalMessage('x\n```\nnot sql\n```').sql).toBeNull();
  });

  it('drops inline reasoning and returns null SQL for a plain refusal', () => {
    expect(parseFinalMessage('<think>maybe ```sql\nSELECT 1\n```</think>I cannot answer that.')).toEqual({
      sql: null,
      answer: 'I cannot answer that.',
    });
  });
});
