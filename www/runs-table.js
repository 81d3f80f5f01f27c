// The Find panel's table: one row per execution record (id, version, status,
// start, end, message), a Rerun button on each failed one, and under each row
// a line for the outcome of its rerun. Every value is server text: set as
// text, never as HTML. On narrow screens CSS turns rows into cards, labelled
// by `data-label`.
import { element, renderReport } from './dom.js';

/** Status names the package gives (`statusName`); anything else is shown as text without a style. */
const STATUS_STYLES = new Set(['waiting', 'running', 'suspended', 'failed', 'succeeded', 'completed', 'unknown']);

const dash = (value) => (value === undefined || value === null || value === '' ? '\u2014' : String(value));

const COLUMNS = [
  { label: 'Id', className: 'id', value: (i) => i.id },
  { label: 'Version', className: 'version', value: (i) => i.dagVersion },
  { label: 'Status', className: 'state', value: (i) => i.statusName, badge: true },
  { label: 'Start', className: 'time', value: (i) => dash(i.startTime) },
  { label: 'End', className: 'time', value: (i) => dash(i.endTime) },
  { label: 'Message', className: 'message', value: (i) => dash(i.message) },
];
const SPAN = COLUMNS.length + 1; // + the Rerun column

function cell(column, instance) {
  const td = element('td', column.className);
  td.dataset.label = column.label;
  const text = column.value(instance);
  if (column.badge) {
    const style = STATUS_STYLES.has(text) ? ` status-${text}` : '';
    td.append(element('span', `badge${style}`, text));
  } else {
    td.textContent = text;
  }
  return td;
}

/**
 * The rows of one record: its data row and its (hidden) outcome row.
 * `onRerun(instance, row)` is called on a click; `row` lets it drive the
 * button and show an outcome.
 */
function rowsOf(instance, onRerun) {
  const tr = element('tr');
  tr.dataset.id = instance.id;
  tr.dataset.status = instance.statusName;
  tr.append(...COLUMNS.map((column) => cell(column, instance)));
  const action = element('td', 'action');
  tr.append(action);

  const outcomeRow = element('tr', 'outcome');
  outcomeRow.hidden = true;
  const outcomeCell = element('td');
  outcomeCell.colSpan = SPAN;
  const outcome = element('div', 'row-outcome');
  outcomeCell.append(outcome);
  outcomeRow.append(outcomeCell);

  if (instance.statusName === 'failed') {
    const button = element('button', 'small', 'Rerun');
    button.type = 'button';
    button.setAttribute('aria-label', `Rerun instance ${instance.id}`);
    action.append(button);
    const row = {
      button,
      pending(text) {
        outcomeRow.hidden = false;
        outcome.className = 'row-outcome pending';
        outcome.textContent = text;
      },
      show(report) {
        outcomeRow.hidden = false;
        renderReport(outcome, report, 'row-outcome');
        tr.classList.toggle('rerun-sent', report.ok);
      },
    };
    button.addEventListener('click', () => onRerun(instance, row));
  }
  return [tr, outcomeRow];
}

/** A <table> of `instances`, newest first as the API lists them. */
export function runsTable(instances, onRerun) {
  const head = element('tr');
  for (const column of COLUMNS) head.append(Object.assign(element('th', column.className, column.label), { scope: 'col' }));
  const actionHead = Object.assign(element('th', 'action'), { scope: 'col' });
  actionHead.append(element('span', 'visually-hidden', 'Rerun'));
  head.append(actionHead);
  const thead = element('thead');
  thead.append(head);
  const body = element('tbody');
  for (const instance of instances) body.append(...rowsOf(instance, onRerun));
  const table = element('table', 'runs');
  table.append(thead, body);
  return table;
}
