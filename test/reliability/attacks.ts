/**
 * What a hostile visitor sends (issue 12's findings), shared by the reliability suite and bench/isolation.ts. Each
 * builder returns the bytes of one upload, or performs one misbehaving request.
 */
import { type ClientRequest, request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { xlsxRaw } from '../data/helpers.js';
import { BOUNDARY, MULTIPART_TYPE, multipart } from '../helpers/multipart.js';
import type { Json } from '../scale/cluster.js';

const MB = 1024 * 1024;

/** A 1 KB workbook with one cell at column ZZZZZZZ (padding a row to it once killed the server). */
export const beyondLastColumn = () => xlsxRaw('<row r="1"><c r="ZZZZZZZ1"><v>1</v></c></row>');

/** A workbook whose shared strings inflate to `megabytes` MB (4.7 MB of these once took 4 GB of heap). */
export const sharedStringsBomb = (megabytes: number) =>
  xlsxRaw(
    '<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
    `<si><t>${'s'.repeat(MB)}</t></si>`.repeat(megabytes),
  );

/** A workbook of `rows` empty rows (300 MB of them once cost 16 s of CPU). */
export const emptyRowsBomb = (rows: number) => xlsxRaw(Buffer.from('<row/>'.repeat(rows)));

/** A .gz of `megabytes` MB of newlines (1.5 GB once cost 44 s of CPU). */
export const newlinesGzip = (megabytes: number) => gzipSync(Buffer.alloc(megabytes * MB, 0x0a));

/** A JSON array whose first record nests `depth` levels (100,000 once overflowed the stack: a 500). */
export const deepJson = (depth: number) => `[{"a": ${'['.repeat(depth)}${']'.repeat(depth)}}]`;

/** A CSV of `rows` lines of ~100 bytes. */
export function csvOf(rows: number): string {
  const lines = ['n,label,amount'];
  for (let i = 0; i < rows; i++) lines.push(`${i},${'row text '.repeat(9)}${i},${i * 1.5}`);
  return `${lines.join('\n')}\n`;
}

export async function upload(base: string, id: string, name: string, content: Buffer | string) {
  const response = await fetch(`${base}/api/session/uploads`, {
    method: 'POST',
    headers: { 'x-session-id': id, 'content-type': MULTIPART_TYPE },
    body: multipart({ name, content }),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

/**
 * A multipart upload on a raw socket, announcing `contentLength` bytes, its part headers already written: the caller
 * decides how much more to send and when (a client that stalls, or vanishes mid-upload).
 */
export function openUpload(
  port: number | string,
  id: string,
  fileName: string,
  contentLength: number,
): ClientRequest {
  const req = httpRequest({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/api/session/uploads',
    headers: {
      'x-session-id': id,
      'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      'content-length': String(contentLength),
    },
  });
  req.write(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: text/csv\r\n\r\n`,
  );
  return req;
}

/**
 * An upload that announces 100 MB, sends `body`, then goes silent with the connection open (it once held a lock that
 * made every request of every session wait 5 s). Resolves with the status the server answers, when it does.
 */
export function stalledUpload(base: string, id: string, body: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const req = openUpload(new URL(base).port, id, 'big.csv', 100 * MB);
    req.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', reject);
    req.write(body);
  });
}
