/**
 * Temporary credentials in the forms people paste: environment variables for a shell, a profile
 * for ~/.aws/credentials, and the one JSON line a `credential_process` prints (the AWS CLI's and
 * SDKs' format: Version 1, Expiration in ISO 8601). Each also points the CLI and SDKs at this
 * service (the credentials are good nowhere else).
 */
import type { TemporaryCredentials } from '../sts/issue.js';

export interface CredentialFormats {
  readonly environment: string;
  readonly profile: string;
  readonly credentialProcess: string;
}

/** A profile name: what INI files and the CLI's --profile take without quoting. */
export const PROFILE = 'latchkey';

export function credentialFormats(c: TemporaryCredentials, endpoint: string): CredentialFormats {
  const expiration = c.expiration.toISOString();
  return {
    environment: [
      `export AWS_ACCESS_KEY_ID=${c.accessKeyId}`,
      `export AWS_SECRET_ACCESS_KEY=${c.secretAccessKey}`,
      `export AWS_SESSION_TOKEN=${c.sessionToken}`,
      `export AWS_ENDPOINT_URL_STS=${endpoint}`,
      `export AWS_ENDPOINT_URL_IAM=${endpoint}`,
    ].join('\n'),
    profile: [
      `[${PROFILE}]`,
      `aws_access_key_id = ${c.accessKeyId}`,
      `aws_secret_access_key = ${c.secretAccessKey}`,
      `aws_session_token = ${c.sessionToken}`,
      `# expires ${expiration}; in ~/.aws/config: [profile ${PROFILE}] with endpoint_url = ${endpoint}`,
    ].join('\n'),
    credentialProcess: JSON.stringify({ Version: 1, AccessKeyId: c.accessKeyId, SecretAccessKey: c.secretAccessKey, SessionToken: c.sessionToken, Expiration: expiration }),
  };
}
