/** multipart/form-data bodies for upload tests (fields first, in order, then the file). */
export const BOUNDARY = '----agentgraph-test-boundary';
export const MULTIPART_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

export function multipart(
  file: { name: string; content: Buffer | string },
  fields: Record<string, string> = {},
): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  }
  parts.push(
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n`,
    ),
    Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content),
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  );
  return Buffer.concat(parts);
}

/** A small sales table with every kind of column the engines care about; deterministic. */
export function salesCsv(rows = 200): string {
  const regions = ['North', 'South', 'East', 'West'];
  const categories = ['Books', 'Games', 'Music'];
  const lines = ['order_date,region,category,price,quantity'];
  for (let i = 0; i < rows; i++) {
    const month = String((i % 12) + 1).padStart(2, '0');
    const year = 2020 + (i % 3);
    lines.push(
      `${year}-${month}-15,${regions[i % 4]},${categories[i % 3]},${(10 + (i % 7) * 2.5).toFixed(2)},${(i % 5) + 1}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `notes.csv`: `rows` rows of an id and a `noteBytes`-long text (issue 12, finding 4: 1,000 × 24 KB). "list all
 * notes" then returns every row, so each answer is rows × noteBytes of JSON.
 */
export function notesCsv(rows: number, noteBytes: number): string {
  const lines = ['id,note'];
  for (let i = 1; i <= rows; i++) lines.push(`${i},note ${i} ${'x'.repeat(noteBytes)}`);
  return `${lines.join('\n')}\n`;
}
