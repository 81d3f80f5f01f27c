// Where and how a command reaches the API: the flags every command shares, turned into the
// library's `config` together with the credentials from the environment.
import { integerFlag } from './args.mjs';
import { credentialsFrom } from './credentials.mjs';
import { UsageError } from './errors.mjs';

export const CONNECTION_OPTIONS = {
  'region-id': { type: 'string' },
  endpoint: { type: 'string' },
  method: { type: 'string' },
  'timeout-ms': { type: 'string' },
  'max-retries': { type: 'string' },
};

/** Help lines for CONNECTION_OPTIONS; `retries`: what this command retries (lines of help). */
export function connectionHelp(retries) {
  return `  --region-id REGION       e.g. cn-hangzhou → https://dms-enterprise.cn-hangzhou.aliyuncs.com
  --endpoint URL           http(s)://host[:port] origin instead of --region-id
                           (neither: https://dms-enterprise.aliyuncs.com)
  --method POST|GET        HTTP method (default POST)
  --timeout-ms N           budget for each call including retries (default 10000; 0 = none)
  --max-retries N          0..10 (default 2): ${retries}`;
}

/** The library's config from the connection flags and the environment. */
export function configFrom(values, env) {
  if (values['region-id'] !== undefined && values.endpoint !== undefined) {
    throw new UsageError('InvalidArguments', 'give --region-id or --endpoint, not both');
  }
  const config = credentialsFrom(env);
  if (values['region-id'] !== undefined) config.regionId = values['region-id'];
  if (values.endpoint !== undefined) config.endpoint = values.endpoint;
  if (values.method !== undefined) config.method = values.method.toUpperCase();
  const timeoutMs = integerFlag(values, 'timeout-ms');
  if (timeoutMs !== undefined) config.timeoutMs = timeoutMs;
  const maxRetries = integerFlag(values, 'max-retries');
  if (maxRetries !== undefined) config.maxRetries = maxRetries;
  return config;
}

/** UsageError unless every flag in `names` was given. */
export function requireFlags(values, names) {
  for (const name of names) {
    if (values[name] === undefined) throw new UsageError('MissingArgument', `--${name} is required`);
  }
}
