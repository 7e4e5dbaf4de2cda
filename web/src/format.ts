/** Formatting helpers shared by the components (numbers and sizes follow the UI locale). */

export function formatBytes(bytes: number, locale: string): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toLocaleString(locale, { maximumFractionDigits: digits })} ${units[unit]}`;
}

/** 3725 → "1:02:05"; 65 → "1:05". */
export function formatCountdown(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** A duration in words for sentences: "60 minutes" / "60 minutos", "30 seconds" / "30 segundos". */
export function formatDuration(seconds: number, lang: 'pt' | 'en'): string {
  if (seconds >= 120 && seconds % 60 === 0) {
    const minutes = seconds / 60;
    return lang === 'pt' ? `${minutes} minutos` : `${minutes} minutes`;
  }
  return lang === 'pt' ? `${seconds} segundos` : `${seconds} seconds`;
}

export function formatNumber(value: number, locale: string): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString(locale);
  return value.toLocaleString(locale, { maximumFractionDigits: Math.abs(value) < 1 ? 6 : 2 });
}

export function formatCell(value: unknown, locale: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return formatNumber(value, locale);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function formatTime(epochSeconds: number | undefined, locale: string): string {
  if (!epochSeconds) return '';
  return new Date(epochSeconds * 1000).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
}
