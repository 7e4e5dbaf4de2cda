/**
 * An import child (issue 12): parses and inserts uploads, drops tables and recovers after killed imports, one request
 * at a time, in a process of its own — so a file that needs too much memory, CPU or time costs this process only,
 * and the pool (import-pool.ts) kills and replaces it. The API process never parses a file. This file is forked by
 * import-pool.ts, never imported.
 */
import fs from 'node:fs';
import { startWatchdog } from '../child-watchdog.js';
import { AppError, isAppError } from '../errors.js';
import { csvWorkers } from './csv-worker-pool.js';
import type { ImportChildRequest, ImportRequest } from './import-protocol.js';
import { cleanLeftovers, dropTable, importFile, readCatalog } from './index.js';

const watchdog = startWatchdog();

async function runImport(request: ImportRequest) {
  const source = fs.createReadStream(request.sourcePath, { highWaterMark: 256 * 1024 });
  try {
    const result = await importFile({
      dbPath: request.dbPath,
      tempDir: request.tempDir,
      source,
      fileName: request.fileName,
      ...(request.tableName !== undefined ? { tableName: request.tableName } : {}),
      ...(request.sheets ? { sheets: request.sheets } : {}),
      quota: { limitBytes: request.limitBytes, usedBytes: () => request.usedBytes },
      original: { path: request.sourcePath, bytes: request.sourceBytes, keepAs: request.keepAs },
    });
    return { ...result, all: readCatalog(request.dbPath) };
  } finally {
    source.destroy();
  }
}

async function handle(request: ImportChildRequest): Promise<unknown> {
  switch (request.type) {
    case 'import':
      return runImport(request);
    case 'drop': {
      const dropped = await dropTable(request.dbPath, request.name, request.uploadsDir);
      return { dropped, all: readCatalog(request.dbPath) };
    }
    case 'recover': {
      const cleaned = cleanLeftovers(request.dbPath, request.tempDir, request.spoolGraceMs);
      return { ...cleaned, all: readCatalog(request.dbPath) };
    }
  }
}

process.on('message', (request: ImportChildRequest) => {
  if (typeof request?.id !== 'number') return;
  watchdog.arm(request.deadlineMs);
  handle(request)
    .then(
      (result) => process.send?.({ type: 'result', id: request.id, result }),
      (error: unknown) => {
        // Driver text stays here (it can name files); the API shows a generic 500 for what is not an AppError.
        const failure = isAppError(error) ? error : new AppError('internal', { request_id: 'import' });
        if (!isAppError(error)) process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
        process.send?.({ type: 'error', id: request.id, code: failure.code, params: failure.params });
      },
    )
    .finally(() => watchdog.disarm());
});

process.on('disconnect', () => process.exit(0));

// The CSV parse thread starts with the child, so the first upload does not wait for it.
void csvWorkers.warm().then(() => process.send?.({ type: 'ready', pid: process.pid }));
