// Small statistics helpers for the bench (no dependencies).

export function median(values) {
  return percentile(values, 50);
}

/** Nearest-rank percentile of a list of numbers (p in 0..100). */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Calls `fn` in batches until `ms` elapsed; returns operations per second. */
export function opsPerSecond(fn, ms, batch = 32) {
  let n = 0;
  const start = performance.now();
  let now = start;
  do {
    for (let i = 0; i < batch; i++) fn();
    n += batch;
    now = performance.now();
  } while (now - start < ms);
  return (n * 1000) / (now - start);
}
