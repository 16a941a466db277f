import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Config } from '../../config.js';
import { VaultError } from './envelope.js';

/**
 * AWS Secrets Manager, or the service did not answer: a retry may succeed, so callers do not treat this
 * like a secret that no longer opens (VaultError). The message names the operation and AWS's error,
 * never a value.
 */
export class VaultBackendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VaultBackendError';
  }
}

export interface ExternalSecretRef {
  arn: string;
  versionId: string;
}

/**
 * Keeps vault ciphertexts in AWS Secrets Manager, one secret per vault entry, named `<prefix><entry id>`.
 * It only ever receives ciphertext: the data key that opens it stays wrapped in PostgreSQL. Credentials
 * come from the SDK's default provider chain (environment, shared config, SSO, container or instance role).
 */
export class AwsSecretStore {
  // The SDK is loaded on first use: installations on the local backend never pay its start-up time.
  private connection: Promise<{ sdk: Sdk; client: SecretsManagerClient }> | undefined;

  constructor(private readonly options: Config['vault']['aws']) {}

  private connect() {
    this.connection ??= import('@aws-sdk/client-secrets-manager').then((sdk) => ({
      sdk,
      client: new sdk.SecretsManagerClient({ region: this.options.region, endpoint: this.options.endpoint }),
    }));
    return this.connection;
  }

  async create(entryId: string, purpose: string, ciphertext: Buffer): Promise<ExternalSecretRef> {
    const { sdk, client } = await this.connect();
    const created = await this.call('CreateSecret', () =>
      client.send(
        new sdk.CreateSecretCommand({
          Name: `${this.options.prefix}${entryId}`,
          Description: `OpenWABA vault entry (${purpose}); ciphertext only, its data key is in the database`,
          SecretBinary: ciphertext,
        }),
      ),
    );
    if (!created.ARN || !created.VersionId)
      throw new VaultBackendError('AWS Secrets Manager CreateSecret answered without an ARN or version');
    return { arn: created.ARN, versionId: created.VersionId };
  }

  /** The ciphertext of one version; VaultError when the secret or version is gone (it will not come back). */
  async read(ref: ExternalSecretRef): Promise<Buffer> {
    const { sdk, client } = await this.connect();
    const value = await this.call(
      'GetSecretValue',
      () => client.send(new sdk.GetSecretValueCommand({ SecretId: ref.arn, VersionId: ref.versionId })),
      (name) => name === 'ResourceNotFoundException' || name === 'InvalidRequestException',
    );
    if (!value.SecretBinary) throw new VaultError('the AWS secret holds no binary value');
    return Buffer.from(value.SecretBinary);
  }

  /**
   * Deletes the secret (after the configured recovery window, or at once). Deleting a secret that is
   * already gone or already scheduled for deletion succeeds.
   */
  async remove(arn: string): Promise<void> {
    const days = this.options.recoveryWindowDays;
    const { sdk, client } = await this.connect();
    try {
      await client.send(
        new sdk.DeleteSecretCommand(
          days === 0
            ? { SecretId: arn, ForceDeleteWithoutRecovery: true }
            : { SecretId: arn, RecoveryWindowInDays: days },
        ),
      );
    } catch (error) {
      if (awsErrorName(error) === 'ResourceNotFoundException') return;
      if (awsErrorName(error) === 'InvalidRequestException' && (await this.scheduledForDeletion(arn))) return;
      throw describe('DeleteSecret', error);
    }
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (connection) (await connection).client.destroy();
  }

  private async scheduledForDeletion(arn: string): Promise<boolean> {
    const { sdk, client } = await this.connect();
    const described = await this.call('DescribeSecret', () =>
      client.send(new sdk.DescribeSecretCommand({ SecretId: arn })),
    );
    return described.DeletedDate !== undefined;
  }

  private async call<T>(
    operation: string,
    send: () => Promise<T>,
    isGone: (name: string) => boolean = () => false,
  ): Promise<T> {
    try {
      return await send();
    } catch (error) {
      const name = awsErrorName(error);
      if (name && isGone(name)) throw new VaultError(`secret not found in AWS Secrets Manager (${name})`);
      throw describe(operation, error);
    }
  }
}

type Sdk = typeof import('@aws-sdk/client-secrets-manager');

/** An error AWS answered (the SDK's service exceptions carry `$fault` and `$metadata`). */
interface AwsServiceError extends Error {
  $fault: 'client' | 'server';
  $metadata: { httpStatusCode?: number };
}

function isAwsServiceError(error: unknown): error is AwsServiceError {
  return error instanceof Error && '$fault' in error && '$metadata' in error;
}

function awsErrorName(error: unknown): string | undefined {
  return isAwsServiceError(error) ? error.name : undefined;
}

/**
 * A new error rather than the SDK's: that one carries the request and response, and our logs serialise
 * errors whole. AWS's messages name operations and ARNs, never secret values.
 */
function describe(operation: string, error: unknown): VaultBackendError {
  if (isAwsServiceError(error)) {
    const status = error.$metadata.httpStatusCode;
    return new VaultBackendError(
      `AWS Secrets Manager ${operation} failed: ${error.name}${status ? ` (HTTP ${status})` : ''}: ${error.message.slice(0, 300)}`,
    );
  }
  const reason = error instanceof Error ? error.message.slice(0, 200) : 'unknown error';
  return new VaultBackendError(`AWS Secrets Manager ${operation} failed: ${reason}`);
}
