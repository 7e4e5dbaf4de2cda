/**
 * Breakdowns for `npm run eval:wtq`: the kind of a question (by simple patterns on its words, English first with
 * a Portuguese fallback) and the cause of a refusal (by the engine's own refusal sentence, src/builtin/answer.ts).
 * Rough by design: they group results for reading, they are not part of the score.
 */

export const KINDS = [
  'comparison',
  'yes/no',
  'count',
  'adjacent',
  'superlative',
  'aggregate',
  'lookup',
  'other',
] as const;
export type Kind = (typeof KINDS)[number];

const NUMBER_WORD =
  '(?:\\d|one|two|three|four|five|six|seven|eight|nine|ten|twenty|hundred|thousand|a (?:few|dozen))';
const SUPERLATIVE_WORDS =
  'most|least|highest|lowest|largest|smallest|biggest|greatest|fewest|best|worst|longest|shortest|top|bottom|first|last|earliest|latest|oldest|youngest|newest|maximum|minimum|max|min|final';
/** Words in -est that are not superlatives. */
const NOT_SUPERLATIVE = new Set(
  'west northwest southwest midwest test contest interest forest request guest chest nest rest quest protest suggest harvest honest modest manifest conquest everest budapest bucharest pest vest digest arrest invest priest'.split(
    ' ',
  ),
);

const RULES: [Kind, RegExp[]][] = [
  [
    'comparison',
    [
      /\bhow (many|much) (more|less|fewer|longer|shorter|higher|lower|older|younger|bigger|greater)\b/,
      /\bdifference\b/,
      new RegExp(`\\bthan (?!${NUMBER_WORD})`),
      /\b(which|who|what|whose)\b[^?]*\bor\b/,
      /\bor\b[^?]*\b(more|less|fewer|higher|lower|larger|smaller|first|earlier|later|longer|shorter|better|worse)\b/,
      /\b(compared?|same)\b/,
      /\bdiferença\b|\bdo que (?!\d)|\b(qual|quem|quais)\b[^?]*\bou\b/,
    ],
  ],
  ['yes/no', [/^(is|are|was|were|did|does|do|has|have|had|can|could|will|would|should)\b/]],
  ['count', [/\bhow many\b|\bnumber of\b|\bcount\b|\bhow often\b/, /\bquant[oa]s\b|\bnúmero de\b/]],
  [
    'adjacent',
    [
      /\b(previous|next|before|after|above|below|preceding|following|preceded|followed|succeeded|prior)\b/,
      /\b(anterior|seguinte|próxim[oa]|antes|depois|acima|abaixo)\b/,
    ],
  ],
  [
    'superlative',
    [
      new RegExp(`\\b(${SUPERLATIVE_WORDS})\\b`),
      /\b(mais|menos|maior|menor|primeir[oa]|últim[oa]|melhor|pior)\b/,
    ],
  ],
  ['aggregate', [/\b(total|sum|average|mean|combined|altogether|in all|how much)\b/, /\b(soma|média)\b/]],
  [
    'lookup',
    [
      /\b(what|which|who|whom|whose|when|where|name|list|tell me|give)\b/,
      /\b(qual|quais|quem|quando|onde|cite|liste|diga)\b/,
    ],
  ],
];

/** The kind of a question (first rule that fits, in KINDS order). */
export function questionKind(question: string): Kind {
  const q = question.toLowerCase().replace(/\s+/g, ' ').trim();
  for (const [kind, patterns] of RULES) {
    if (patterns.some((p) => p.test(q))) return kind;
    if (kind === 'superlative' && superlativeSuffix(q)) return kind;
  }
  return 'other';
}

function superlativeSuffix(q: string): boolean {
  return (q.match(/\b[a-z]{4,}est\b/g) ?? []).some((w) => !NOT_SUPERLATIVE.has(w));
}

/** Refusal causes, matched on the engine's sentence (English and Portuguese), in this order. */
const CAUSES: [string, RegExp][] = [
  ['word not found', /could not find "|Não encontrei "/],
  ['date word, no date column', /refers to dates, but the table has no date column|se refere a datas/],
  ['number not tied to a column', /which column the number|a qual coluna o número/],
  ['no numeric column for the calculation', /not which numeric column|qual coluna numérica/],
  ['ambiguous column', /could be more than one column|pode ser mais de uma coluna/],
  ['several numeric columns', /several numeric columns|várias colunas numéricas/],
  ['group by a non-column', /cannot group by|Não sei agrupar/],
  ['grouping by two columns', /more than one column at once|mais de uma coluna ao mesmo tempo/],
  ['nothing recognised', /did not recognise a request|Não reconheci/],
  ['why/opinion/statistic', /I only answer questions computed|Só respondo/],
  ['percentage form', /percentage of rows meeting|porcentagem de registros/],
  ['per-group comparison', /per-group computed value|calculado por grupo/],
  ['which table', /which table the question|de qual tabela/],
];

export function refusalCause(reason: string): string {
  for (const [cause, pattern] of CAUSES) if (pattern.test(reason)) return cause;
  return 'other';
}

/**
 * The words a refusal names: its quoted words ("I could not find "golfers, listed" …" → golfers, listed), the last
 * quote where the sentence quotes its own examples first (percentages), or the number it could not place.
 */
export function refusalWords(reason: string): string[] {
  const quotes = [...reason.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
  const quoted = /percentage of rows meeting|porcentagem de registros/.test(reason)
    ? quotes.at(-1)
    : quotes[0];
  if (quoted) return quoted.split(', ').map((w) => w.trim().toLowerCase());
  const number = /the number (\S+) refers|o número (\S+) se refere/.exec(reason);
  return number ? [(number[1] ?? number[2])!] : [];
}
