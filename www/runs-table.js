// The Find panel's table: one <tbody> per execution record, holding its data
// row (id, version, status, start, end, and a Rerun button when it failed),
// its message on a row of its own (messages are sentences, often long, with
// newlines: they get the full width) and a row for the outcome of its rerun.
// Every value is server text: set as text, never as HTML. On narrow screens
// CSS turns each record into a card, each value under its `data-label`.
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

/** A row with one cell across the table. */
function wideRow(className, content) {
  const tr = element('tr', className);
  const td = element('td');
  td.colSpan = SPAN;
  td.append(content);
  tr.append(td);
  return [tr, td];
}

/** Longer messages (a stack trace, a dumped SQL) start folded to a few lines; the whole text is always in the DOM. */
const FOLD_CHARS = 500;

function messageBox(message) {
  const box = element('div', 'message-box');
  const text = element('div', 'message-text', message);
  box.append(text);
  if (message.length > FOLD_CHARS) {
    text.classList.add('folded');
    const more = element('button', 'link', `Show all ${message.length} characters`);
    more.type = 'button';
    more.addEventListener('click', () => {
      const folded = text.classList.toggle('folded');
      more.textContent = folded ? `Show all ${message.length} characters` : 'Show less';
    });
    box.append(more);
  }
  return box;
}

/**
 * One record's <tbody>. `onRerun(instance, row)` is called on a click;
 * `row` lets it drive the button and show an outcome.
 */
function recordBody(instance, onRerun) {
  const body = element('tbody', 'record');
  body.dataset.id = instance.id;
  body.dataset.status = instance.statusName;

  const main = element('tr', 'main');
  main.append(...COLUMNS.map((column) => cell(column, instance)));
  const action = element('td', 'action');
  main.append(action);
  body.append(main);

  if (instance.message) {
    const [row, td] = wideRow('message', messageBox(instance.message));
    td.className = 'message';
    td.dataset.label = 'Message';
    body.append(row);
  }

  if (instance.statusName === 'failed') {
    const outcome = element('div', 'row-outcome');
    const [outcomeRow] = wideRow('outcome', outcome);
    outcomeRow.hidden = true;
    body.append(outcomeRow);

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
        body.classList.toggle('rerun-sent', report.ok);
      },
    };
    button.addEventListener('click', () => onRerun(instance, row));
  }
  return body;
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
  const table = element('table', 'runs');
  table.append(thead, ...instances.map((instance) => recordBody(instance, onRerun)));
  return table;
}
