/**
 * One import for bench/ingest.ts, in a process of its own so its peak RSS is its own. Plain JavaScript, so the
 * compiled build runs without a TypeScript loader — as `npm start` runs it (a loader would also have to start in
 * the import's parse worker). Arguments: the importer module's URL, the CSV, the database, a temp folder, and
 * `warm` (start the parse thread first, as `serve` does at start-up) or `cold` (the import starts it).
 */
import fs from 'node:fs';
import path from 'node:path';

const [moduleUrl, csv, db, tempDir, start] = process.argv.slice(2);
const { importFile } = await import(moduleUrl);
// The parse thread is warmed as an import child does at start-up (src/data/import-child.ts), through the pool
// module beside the importer (`.ts` from source, `.js` in the build).
if (start === 'warm') {
  const { csvWorkers } = await import(moduleUrl.replace(/index\.(ts|js)$/, 'csv-worker-pool.$1'));
  await csvWorkers.warm();
}
const started = performance.now();
const result = await importFile({
  dbPath: db,
  tempDir,
  source: fs.createReadStream(csv, { highWaterMark: 1 << 16 }),
  fileName: path.basename(csv),
  quota: { limitBytes: 10 * 1024 ** 3, usedBytes: () => 0 },
});
const ms = performance.now() - started;
process.stdout.write(
  `${JSON.stringify({
    ms,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    rows: result.tables[0].rows,
    types: result.tables[0].columns.map((c) => c.type),
  })}\n`,
);
