// mulberry32: a small seeded PRNG, identical on every platform, so generated
// test inputs (and tests/vectors/official-generated.json) are reproducible.

/** Seeded generator: `next()` in [0, 1), `int(lo, hi)` inclusive, `pick`, `chance`, `u64`. */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = (list) => list[int(0, list.length - 1)];
  const chance = (p) => next() < p;
  const u64 = () => (BigInt(int(0, 0xffffffff)) << 32n) | BigInt(int(0, 0xffffffff));
  return { next, int, pick, chance, u64 };
}
