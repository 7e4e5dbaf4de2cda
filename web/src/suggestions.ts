/**
 * Generic questions built from the catalog (row counts, an average by category, a monthly total), shown until the
 * engine offers its own (it returns `suggestions` when it cannot answer). Column labels are used as written in the
 * file's header, lower-cased, the way people ask.
 */
import type { Column, TableInfo } from './api';
import type { Translate } from './i18n';

function words(column: Column): string {
  return (column.label || column.name.replace(/_/g, ' ')).toLowerCase();
}

const ID_LIKE = /(^|_)(id|codigo|code|cod|cep|zip)$/;

export function genericSuggestions(tables: TableInfo[], t: Translate, max = 5): string[] {
  const out: string[] = [];
  for (const table of tables.slice(0, 2)) {
    out.push(t('suggest.rows', { table: table.name }));
    const numbers = table.columns.filter(
      (c) => (c.type === 'integer' || c.type === 'real') && !ID_LIKE.test(c.name),
    );
    const categories = table.columns.filter(
      (c) => c.type === 'text' && (c.distinct_estimate === undefined || c.distinct_estimate <= 50),
    );
    const dates = table.columns.filter((c) => c.type === 'date' || c.type === 'datetime');
    const number = numbers.find((c) => c.type === 'real') ?? numbers[0];
    const category = categories[0];
    if (number && category) out.push(t('suggest.avg', { number: words(number), category: words(category) }));
    const summed = numbers.find((c) => c.type === 'integer') ?? number;
    if (summed && dates[0]) out.push(t('suggest.total', { number: words(summed) }));
    else if (number) out.push(t('suggest.max', { number: words(number) }));
  }
  return [...new Set(out)].slice(0, max);
}
