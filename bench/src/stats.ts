/** Small statistics helpers for benchmark reports. */

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = Float64Array.from(values).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** Half the range of the repeats, relative to the median (±%). */
export function spreadPct(values: number[]): number {
  const m = median(values);
  return m === 0 ? 0 : ((Math.max(...values) - Math.min(...values)) / 2 / m) * 100;
}

/** Jain's fairness index over per-caller counts: 1 = perfectly even, 1/n = one caller got everything. */
export function jain(counts: number[]): number {
  const sum = counts.reduce((a, b) => a + b, 0);
  const squares = counts.reduce((a, b) => a + b * b, 0);
  return squares === 0 ? 0 : (sum * sum) / (counts.length * squares);
}

export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return '-';
  if (Math.abs(n) >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (Math.abs(n) >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(digits);
}
