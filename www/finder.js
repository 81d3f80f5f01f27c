// The "Find failed runs" panel: DagId and a date range (and a status,
// failed by default) → every matching execution record, listed with the
// package's iterateTaskFlowInstances and the Credentials, Endpoint and Tid of
// the form above; a Rerun on a failed row reruns that record with its own
// DagVersion (through the Worker proxy when one is set).
//
// Listing through the Worker proxy does not exist (examples/worker has only
// POST /rerun), so Find is off in proxy mode and the panel says why.
import { iterateTaskFlowInstances } from 'dms-rerun';
import { $, element, paragraph, renderReport } from './dom.js';
import { daysAgo } from './dates.js';
import { proxyMode, readConfig, readTid } from './fields.js';
import { onProxyModeChange } from './proxy-mode.js';
import { errorReport } from './reports.js';
import { runsTable } from './runs-table.js';
import { sendRerun } from './send-rerun.js';

/** Records per request (the API's maximum) and shown at most: enough for weeks of hourly runs. */
const PAGE_SIZE = 100;
const MAX_ROWS = 500;
/** The default range: the last 3 days and today. */
const DEFAULT_DAYS = 3;

const value = (id) => $(id).value.trim();

/** The query from the panel's fields, or a sentence saying what to fix. */
function readQuery() {
  const query = { dagId: value('FindDagId'), pageSize: PAGE_SIZE };
  const since = value('Since');
  const until = value('Until');
  if (since && until && since > until) return { problem: `Until (${until}) is before Since (${since}): nothing can match.` };
  if (since) query.startTimeBegin = since;
  if (until) query.startTimeEnd = until;
  const status = value('FindStatus');
  if (status) query.status = status;
  const tid = readTid();
  if (tid) query.tid = tid;
  return { query };
}

/** "3 failed runs of nightly-orders-etl (DagId 7) started 2026-11-29 to 2026-12-02." */
function summary(query, instances, capped) {
  const count = instances.length;
  const what = `${query.status ? `${query.status} ` : ''}run${count === 1 ? '' : 's'}`;
  const name = instances[0]?.dagName;
  const flow = name ? `${name} (DagId ${query.dagId})` : `DagId ${query.dagId}`;
  const { startTimeBegin: since, startTimeEnd: until } = query;
  const range = since && until ? ` started ${since} to ${until}` : since ? ` started since ${since}` : until ? ` started until ${until}` : '';
  const head = count === 0 ? `No ${what} of ${flow}${range}.` : `${count} ${what} of ${flow}${range}.`;
  return capped ? `${head} Showing the first ${MAX_ROWS}: narrow the range to see the rest.` : head;
}

export function wireFinder() {
  const form = $('find-form');
  const button = $('find');
  const status = $('find-status');
  const output = $('find-output');
  let busy = false;

  $('Since').value ||= daysAgo(DEFAULT_DAYS);
  $('Until').value ||= daysAgo(0);

  const update = () => {
    const on = proxyMode();
    button.disabled = busy || on;
    $('find-proxy-note').hidden = !on;
  };
  onProxyModeChange(update);

  /** Reruns one listed record against the gateway it was listed from. */
  async function rerunRow(listing, instance, row) {
    row.button.disabled = true; // not idempotent: one click, one rerun
    row.button.textContent = 'Rerunning…';
    row.pending(proxyMode() ? 'Sending through the Worker proxy…' : 'Sending…');
    const config = () => {
      const { endpoint, ...keys } = readConfig();
      return listing.endpoint === undefined ? keys : { ...keys, endpoint: listing.endpoint };
    };
    const request = { dagId: listing.dagId, dagInstanceId: instance.id, dagVersion: instance.dagVersion };
    if (listing.tid) request.tid = listing.tid;
    let report;
    try {
      report = await sendRerun(config, request);
    } catch (error) {
      report = errorReport(error, 'rerun'); // a bug: shown, not swallowed
    }
    if (report.ok) {
      report.note = proxyMode()
        ? 'The run restarts in DMS. Find is off in proxy mode: clear ProxyUrl, then press Find to see its new status.'
        : 'The run restarts in DMS: press Find again to see its new status.';
    }
    row.show(report);
    // After a success the button stays off: a second click would rerun it again.
    row.button.textContent = report.ok ? 'Rerun sent' : 'Rerun';
    row.button.disabled = report.ok;
  }

  async function find() {
    const { query, problem } = readQuery();
    if (problem) {
      status.textContent = '';
      output.replaceChildren(paragraph(problem, 'problem'));
      return;
    }
    const config = readConfig();
    // The rows' reruns go to the gateway and tenant the records came from.
    const listing = { dagId: query.dagId, tid: query.tid, endpoint: config.endpoint };
    busy = true;
    update();
    status.textContent = 'Listing…';
    output.replaceChildren();
    output.setAttribute('aria-busy', 'true');
    const instances = [];
    let capped = false;
    try {
      for await (const instance of iterateTaskFlowInstances(config, query)) {
        if (instances.length === MAX_ROWS) {
          capped = true;
          break;
        }
        instances.push(instance);
        if (instances.length % PAGE_SIZE === 0) status.textContent = `Listing… ${instances.length} so far`;
      }
    } catch (error) {
      status.textContent = '';
      const box = element('div');
      renderReport(box, errorReport(error, 'list'));
      output.replaceChildren(box);
      return;
    } finally {
      busy = false;
      output.removeAttribute('aria-busy');
      update();
    }
    status.textContent = summary(query, instances, capped);
    if (instances.length > 0) {
      const wrap = element('div', 'table-wrap');
      wrap.append(runsTable(instances, (instance, row) => rerunRow(listing, instance, row)));
      output.replaceChildren(wrap);
    }
  }

  // A submit is Find (Enter in a field included): read-only, so safe to trigger by keyboard.
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!button.disabled) find();
  });
  update();
}
