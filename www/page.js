// Wires the page once the package has loaded: the single-instance form and
// the Find panel. Imported by app.js only after `import('dms-rerun')`
// succeeded, so these modules may import the package statically.
import { wireFinder } from './finder.js';
import { wireRerunForm } from './rerun-form.js';

export function wirePage() {
  wireRerunForm();
  wireFinder();
}
