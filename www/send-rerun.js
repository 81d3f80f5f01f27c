// One rerun, the way the page is set up right now: through the Worker proxy
// when a ProxyUrl is set, else directly with the package. Shared by the
// Rerun button and the Rerun buttons of the Find panel's rows. Resolves with
// a report (reports.js), never rejects.
import { rerunTaskFlowInstance } from 'dms-rerun';
import { proxyMode, readProxy } from './fields.js';
import { rerunViaProxy } from './proxy-client.js';
import { acceptedReport, errorReport, proxyReport } from './reports.js';

/**
 * @param {() => object} config  read only in direct mode (the proxy mode never touches the AccessKey)
 * @param {{dagId:string, dagInstanceId:string, dagVersion:string, tid?:string}} request
 */
export async function sendRerun(config, request) {
  if (proxyMode()) return proxyReport(await rerunViaProxy({ ...readProxy(), request }), location.origin);
  try {
    return acceptedReport(await rerunTaskFlowInstance(config(), request));
  } catch (error) {
    return errorReport(error, 'rerun');
  }
}

