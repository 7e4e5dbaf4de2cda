/**
 * GrowingFile: an import child's view of an upload that is still being spooled by the API process (issue 14). The
 * API tells the child how far the file has grown (FollowNotice); `read()` yields its bytes up to there and waits
 * for more, so the import parses and inserts while the socket is still being read, instead of after. The bytes go
 * socket → file → this process once, through the page cache.
 *
 * The API may also abandon the follow (abandon()): the reader then throws FollowAbandoned, which the import treats as
 * any failure (ROLLBACK, nothing left behind), and the child answers `{ abandoned: true }`.
 */
import fs from 'node:fs';

/** What read() throws once the API abandoned the follow. */
export class FollowAbandoned extends Error {
  constructor() {
    super('the import stopped following the upload');
  }
}

/** Bytes per read: the size the import child reads a complete spooled file with. */
const READ_BYTES = 256 * 1024;

export class GrowingFile {
  private available: number;
  private complete = false;
  private abandoned = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly path: string,
    bytes: number,
  ) {
    this.available = bytes;
  }

  /** The file now holds `bytes` bytes; `complete`: all of the upload. */
  grown(bytes: number, complete: boolean): void {
    this.available = Math.max(this.available, bytes);
    this.complete ||= complete;
    this.notify();
  }

  abandon(): void {
    this.abandoned = true;
    this.notify();
  }

  /** Whether the follow was abandoned (an import failing afterwards failed because of it, whatever it threw). */
  get wasAbandoned(): boolean {
    return this.abandoned;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** The file's bytes in order, as they become available; ends when the upload is complete. */
  async *read(): AsyncGenerator<Buffer> {
    const handle = await fs.promises.open(this.path, 'r');
    let offset = 0;
    try {
      for (;;) {
        if (this.abandoned) throw new FollowAbandoned();
        if (offset < this.available) {
          const buffer = Buffer.allocUnsafe(Math.min(READ_BYTES, this.available - offset));
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
          // The API announced bytes it has written: a short read means the file was cut (the session ended).
          if (bytesRead === 0) throw new Error('the spooled upload is shorter than announced');
          offset += bytesRead;
          yield buffer.subarray(0, bytesRead);
        } else if (this.complete) {
          return;
        } else {
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
        }
      }
    } finally {
      await handle.close();
    }
  }
}
