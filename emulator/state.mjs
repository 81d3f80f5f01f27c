/**
 * Everything the emulator remembers between requests, in one object that
 * tests read directly (programmatic use) or through GET /__admin/state.
 */
import { NonceStore } from './nonces.mjs';

/**
 * @param {object} [options]
 * @param {number} [options.logLimit=20000]
 * @param {ReturnType<import('./runs.mjs').createRunStore>} [options.runs]  execution records (reset with the rest)
 */
export function createState({ logLimit = 20_000, runs } = {}) {
  const state = {
    /** requests to `/` (OPTIONS, admin and unknown paths excluded) */
    requests: 0,
    /** `{requestId, at, method, rawQuery, params (no Signature), nonce, timestamp, status, code, fault}` */
    log: [],
    /** instanceId (string) → successful reruns */
    reruns: new Map(),
    /** one entry per `large` fault: `{requestId, bytes, chunked, sent, completed, aborted}` */
    streams: [],
    /** pending one-shot faults, consumed in order by requests to `/` */
    faults: [],
    nonces: new NonceStore(),
    /** execution records of the seeded task flows (runs.mjs) */
    runs,

    /** Appends a log entry, keeping only the newest `logLimit`. */
    record(entry) {
      state.log.push(entry);
      if (state.log.length > logLimit) state.log.splice(0, state.log.length - logLimit);
    },

    /** Forgets requests, reruns, nonces, streams and pending faults; records go back to the seed. */
    reset() {
      state.runs?.reset();
      state.requests = 0;
      state.log.length = 0;
      state.reruns.clear();
      state.streams.length = 0;
      state.faults.length = 0;
      state.nonces.clear();
    },

    /** JSON view for GET /__admin/state. */
    snapshot({ recentNonces = 100, recentLog = 50 } = {}) {
      return {
        requests: state.requests,
        reruns: Object.fromEntries(state.reruns),
        nonces: state.nonces.recent(recentNonces),
        pendingFaults: state.faults.length,
        streams: state.streams,
        log: state.log.slice(-recentLog),
      };
    },
  };
  return state;
}
