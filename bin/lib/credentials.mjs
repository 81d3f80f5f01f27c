// Credentials come from the environment only: argv is visible in `ps` and kept in shell history.
import { UsageError } from './errors.mjs';

export const ENV_ID = 'ALIBABA_CLOUD_ACCESS_KEY_ID';
export const ENV_SECRET = 'ALIBABA_CLOUD_ACCESS_KEY_SECRET';
export const ENV_TOKEN = 'ALIBABA_CLOUD_SECURITY_TOKEN';

/** `{accessKeyId, accessKeySecret, securityToken?}` from `env`; an empty token counts as unset. */
export function credentialsFrom(env) {
  const accessKeyId = env[ENV_ID];
  const accessKeySecret = env[ENV_SECRET];
  const missing = [[ENV_ID, accessKeyId], [ENV_SECRET, accessKeySecret]].filter(([, v]) => !v).map(([k]) => k);
  if (missing.length > 0) throw new UsageError('MissingCredentials', `set ${missing.join(' and ')} in the environment`);
  const config = { accessKeyId, accessKeySecret };
  if (env[ENV_TOKEN]) config.securityToken = env[ENV_TOKEN];
  return config;
}

/** The help section on credentials, shared by every command. */
export const ENVIRONMENT_HELP = `Environment (credentials are never accepted as arguments):
  ${ENV_ID}       AccessKey id (required)
  ${ENV_SECRET}   AccessKey secret (required)
  ${ENV_TOKEN}      STS token, with temporary credentials (empty = unset)
`;
