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
import { GrowingFile } from './growing-file.js';
import type { AbandonNotice, FollowNotice, ImportChildRequest, ImportRequest } from './import-protocol.js';
import { cleanLeftovers, dropTable, importFile, readCatalog } from './index.js';

const watchdog = startWatchdog();

/** The upload a following import reads as it grows (one request at a time: at most one). */
let following: { job: number; file: GrowingFile } | null = null;

async function runImport(request: ImportRequest) {
  if (request.follow) {
    const file = new GrowingFile(request.sourcePath, request.sourceBytes);
    following = { job: request.id, file };
    const source = file.read();
    try {
      return await importSource(request, source, true);
    } catch (error) {
      // Rolled back like any failed import: the API imports the file itself once it is complete. (A decoder between
      // the reader and the parser may have wrapped the FollowAbandoned it threw.)
      if (file.wasAbandoned) return { abandoned: true };
      throw error;
    } finally {
      following = null;
      await source.return(undefined);
    }
  }
  const source = fs.createReadStream(request.sourcePath, { highWaterMark: 256 * 1024 });
  try {
    return await importSource(request, source, false);
  } finally {
    source.destroy();
  }
}

async function importSource(request: ImportRequest, source: AsyncIterable<Buffer>, growing: boolean) {
  const result = await importFile({
    dbPath: request.dbPath,
    tempDir: request.tempDir,
    source,
    fileName: request.fileName,
    ...(request.tableName !== undefined ? { tableName: request.tableName } : {}),
    ...(request.sheets ? { sheets: request.sheets } : {}),
    quota: { limitBytes: request.limitBytes, usedBytes: () => request.usedBytes },
    original: { path: request.sourcePath, bytes: request.sourceBytes, keepAs: request.keepAs, growing },
  });
  return { ...result, all: readCatalog(request.dbPath) };
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

process.on('message', (request: ImportChildRequest | FollowNotice | AbandonNotice) => {
  if (request?.type === 'grown' || request?.type === 'abandon') {
    if (following?.job !== request.job) return; // about an import that has ended
    if (request.type === 'grown') following.file.grown(request.bytes, request.complete);
    else following.file.abandon();
    return;
  }
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
