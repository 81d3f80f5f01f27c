/**
 * Replay protection: the gateway refuses a SignatureNonce that the same
 * AccessKeyId used within the last 15 minutes. Memory stays bounded because
 * entries older than the window are pruned and the table has a hard cap.
 */
export const NONCE_WINDOW_MS = 15 * 60 * 1000;

export class NonceStore {
  /** key (JSON of [accessKeyId, nonce]) → time first seen (server clock, ms) */
  #seen = new Map();
  #windowMs;
  #maxEntries;

  constructor({ windowMs = NONCE_WINDOW_MS, maxEntries = 100_000 } = {}) {
    this.#windowMs = windowMs;
    this.#maxEntries = maxEntries;
  }

  /** True if this key already used this nonce inside the window. */
  has(accessKeyId, nonce, now) {
    this.#prune(now);
    return this.#seen.has(JSON.stringify([accessKeyId, nonce]));
  }

  /** Records a nonce; call only once its request's signature verified. */
  add(accessKeyId, nonce, now) {
    this.#prune(now);
    this.#seen.set(JSON.stringify([accessKeyId, nonce]), now);
    while (this.#seen.size > this.#maxEntries) {
      this.#seen.delete(this.#seen.keys().next().value);
    }
  }

  /** The last `n` recorded nonces, oldest first. */
  recent(n = 100) {
    return [...this.#seen.keys()].slice(-n).map((key) => JSON.parse(key)[1]);
  }

  get size() {
    return this.#seen.size;
  }

  clear() {
    this.#seen.clear();
  }

  /** Insertion order is time order, so stop at the first fresh entry. */
  #prune(now) {
    for (const [key, at] of this.#seen) {
      if (now - at < this.#windowMs) break;
      this.#seen.delete(key);
    }
  }
}
