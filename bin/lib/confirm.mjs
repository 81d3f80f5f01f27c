// The question `failed` asks on a terminal before it reruns anything.
import { writeErr } from './print.mjs';

/**
 * The first line typed on stdin, without its line ending; null at end of input (Ctrl-D).
 * Reads only until that line, then lets go of stdin so the process can exit.
 */
function readLine(stream) {
  return new Promise((resolve) => {
    let text = '';
    const finish = (answer) => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onEnd);
      stream.pause();
      resolve(answer);
    };
    const onData = (chunk) => {
      text += chunk;
      const end = text.indexOf('\n');
      if (end !== -1) finish(text.slice(0, end).replace(/\r$/, ''));
    };
    const onEnd = () => finish(text === '' ? null : text);
    stream.setEncoding('utf8');
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onEnd);
  });
}

/**
 * Asks `question` on stderr (stdout may be a pipe or --json) and reads the answer from stdin:
 * true only for y or yes (any case). Anything else, an empty line and end of input are no:
 * the default is to rerun nothing.
 */
export async function confirm(question) {
  writeErr(`${question} [y/N] `);
  const answer = await readLine(process.stdin);
  if (answer === null) writeErr('\n');
  return /^\s*y(es)?\s*$/i.test(answer ?? '');
}
