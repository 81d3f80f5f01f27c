// DOM helpers. Everything a server or a user typed is set with textContent
// (or as a property), never parsed as HTML: gateway messages, task flow
// names and ids are untrusted text.

export const $ = (id) => document.getElementById(id);

/** `<tag class=className>text</tag>`; text is set as text. */
export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export const paragraph = (text, className) => element('p', className, text);

/** A <dl> of label → value rows, skipping empty values. */
export function definitionList(rows, className) {
  const list = element('dl', className);
  for (const [label, value] of rows) {
    if (value === undefined || value === null || value === '') continue;
    const detail = element('dd');
    // Only the gateway's troubleshooting link becomes a link, and only an https one.
    if (label === 'Recommend' && /^https:\/\//.test(value)) {
      detail.append(Object.assign(element('a', undefined, value), { href: value, target: '_blank', rel: 'noopener noreferrer' }));
    } else {
      detail.textContent = String(value);
    }
    list.append(element('dt', undefined, label), detail);
  }
  return list;
}

/**
 * Shows a report (see reports.js) in `target`: its class says success or
 * error, then a headline, the rows and the advice.
 */
export function renderReport(target, { ok, headline, rows, advice, note }, className) {
  target.className = [ok ? 'success' : 'error', className].filter(Boolean).join(' ');
  target.replaceChildren(paragraph(headline, 'headline'), definitionList(rows));
  if (advice) target.append(paragraph(advice, 'advice'));
  if (note) target.append(paragraph(note, 'hint'));
}
