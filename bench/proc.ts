/** Reading processes from /proc (Linux), for the benchmarks' memory figures. */
import { readFileSync } from 'node:fs';

/** A memory field of /proc/<pid>/status (VmRSS, VmHWM…) in bytes (0 when the process is gone). */
function statusBytes(pid: number, field: string): number {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Resident memory of a process in bytes (0 when it is gone). */
export function rssOf(pid: number): number {
  return statusBytes(pid, 'VmRSS');
}

/** Peak resident memory of a process so far (VmHWM) in bytes (0 when it is gone). */
export function peakRssOf(pid: number): number {
  return statusBytes(pid, 'VmHWM');
}

/** The direct children of a process. */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}
