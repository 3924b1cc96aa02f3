const UNITS = ["B", "KB", "MB", "GB", "TB", "PB"];

/** Bytes in binary units with one decimal above 1 KB: 0 B, 512 B, 1.5 KB, 2.0 GB. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) {
    return "–";
  }
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) {
    return `${Math.round(value)} B`;
  }
  // 1023.96 KB would round to "1024.0 KB": carry into the next unit
  if (Number(value.toFixed(1)) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** A count with thousands separators: 1234567 → "1,234,567". */
export function formatCount(count: number): string {
  return Number.isFinite(count) ? Math.round(count).toLocaleString("en-US") : "–";
}
