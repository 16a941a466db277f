import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for AWS Secrets Manager's JSON protocol (`application/x-amz-json-1.1`, the operation
 * in `X-Amz-Target: secretsmanager.<Operation>`), enough for the vault's AWS backend and the real SDK:
 * CreateSecret, GetSecretValue, PutSecretValue, DeleteSecret and DescribeSecret, with AWS's documented
 * request fields, response fields and error types. Signatures are not verified (tests use dummy keys),
 * but a request must carry a SigV4 Authorization header, whose credential scope gives the region.
 */

interface Version {
  id: string;
  stages: string[];
  secretString?: string;
  secretBinary?: string;
  created: number;
}

interface StoredSecret {
  arn: string;
  name: string;
  description?: string;
  created: number;
  changed: number;
  deletedAt?: number;
  versions: Version[];
}

export interface InjectedFailure {
  status: number;
  type: string;
  message: string;
}

export interface SeenRequest {
  operation: string;
  body: Record<string, unknown>;
}

class AwsFault extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const ACCOUNT = '123456789012';
const seconds = (ms: number) => ms / 1000;

export class SecretsManagerStandIn {
  /** Every request received, in order (what left the process: tests check no plaintext is here). */
  readonly requests: SeenRequest[] = [];
  private readonly secrets = new Map<string, StoredSecret>();
  private readonly failures: { operation: string; failure: InjectedFailure }[] = [];
  private readonly server = createServer((req, res) => void this.handle(req, res));
  url = '';

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next `operation` request answers with this error (the SDK may retry 5xx and throttling). */
  failNext(operation: string, failure: InjectedFailure, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push({ operation, failure });
  }

  /** A secret by name or ARN, for assertions (undefined once force-deleted). */
  find(id: string): StoredSecret | undefined {
    return this.secrets.get(id) ?? [...this.secrets.values()].find((secret) => secret.arn === id);
  }

  get names(): string[] {
    return [...this.secrets.keys()];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const requestId = randomUUID();
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': requestId,
      });
      res.end(JSON.stringify(body));
    };
    try {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith('secretsmanager.') ? target.slice('secretsmanager.'.length) : '';
      if (
        req.method !== 'POST' ||
        !String(req.headers['content-type']).startsWith('application/x-amz-json-1.1')
      )
        throw new AwsFault('UnknownOperationException', 'Expected a POST of application/x-amz-json-1.1');
      const region =
        /^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\/secretsmanager\/aws4_request/.exec(
          String(req.headers.authorization ?? ''),
        )?.[1];
      if (!region)
        throw new AwsFault('IncompleteSignatureException', 'Authorization header requires a SigV4 signature');
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        throw new AwsFault('SerializationException', 'Start of structure or map found where not expected.');
      }
      this.requests.push({ operation, body });
      const injected = this.failures.findIndex((entry) => entry.operation === operation);
      const failure = injected >= 0 ? this.failures.splice(injected, 1)[0]?.failure : undefined;
      if (failure) throw new AwsFault(failure.type, failure.message, failure.status);
      reply(200, this.dispatch(operation, body, region));
    } catch (error) {
      if (!(error instanceof AwsFault)) throw error;
      reply(error.status, { __type: error.type, message: error.message });
    }
  }

  private dispatch(operation: string, body: Record<string, unknown>, region: string): unknown {
    switch (operation) {
      case 'CreateSecret':
        return this.createSecret(body, region);
      case 'GetSecretValue':
        return this.getSecretValue(body);
      case 'PutSecretValue':
        return this.putSecretValue(body);
      case 'DeleteSecret':
        return this.deleteSecret(body);
      case 'DescribeSecret':
        return this.describeSecret(body);
      default:
        throw new AwsFault('UnknownOperationException', `Unknown operation ${operation || '(none)'}`);
    }
  }

  private createSecret(body: Record<string, unknown>, region: string) {
    const name = body.Name;
    if (typeof name !== 'string' || !NAME.test(name))
      throw new AwsFault(
        'InvalidParameterException',
        'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
      );
    const value = secretValue(body, false);
    const existing = this.secrets.get(name);
    if (existing?.deletedAt !== undefined)
      throw new AwsFault(
        'InvalidRequestException',
        "You can't create this secret because a secret with this name is already scheduled for deletion.",
      );
    if (existing)
      throw new AwsFault(
        'ResourceExistsException',
        `The operation failed because the secret ${name} already exists.`,
      );
    const now = Date.now();
    const secret: StoredSecret = {
      arn: `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${name}-${randomBytes(3).toString('hex')}`,
      name,
      description: typeof body.Description === 'string' ? body.Description : undefined,
      created: now,
      changed: now,
      versions: [],
    };
    this.secrets.set(name, secret);
    if (!value) return { ARN: secret.arn, Name: name };
    const version = { id: requestToken(body), stages: ['AWSCURRENT'], created: now, ...value };
    secret.versions.push(version);
    return { ARN: secret.arn, Name: name, VersionId: version.id };
  }

  private getSecretValue(body: Record<string, unknown>) {
    const secret = this.live(body.SecretId);
    const version =
      typeof body.VersionId === 'string'
        ? secret.versions.find((v) => v.id === body.VersionId)
        : secret.versions.find((v) => v.stages.includes(String(body.VersionStage ?? 'AWSCURRENT')));
    if (!version)
      throw new AwsFault(
        'ResourceNotFoundException',
        typeof body.VersionId === 'string'
          ? `Secrets Manager can't find the specified secret value for VersionId: ${body.VersionId}`
          : `Secrets Manager can't find the specified secret value for staging label: ${String(body.VersionStage ?? 'AWSCURRENT')}`,
      );
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.id,
      ...(version.secretString !== undefined ? { SecretString: version.secretString } : {}),
      ...(version.secretBinary !== undefined ? { SecretBinary: version.secretBinary } : {}),
      VersionStages: version.stages,
      CreatedDate: seconds(version.created),
    };
  }

  private putSecretValue(body: Record<string, unknown>) {
    const secret = this.live(body.SecretId);
    const value = secretValue(body, true)!;
    const id = requestToken(body);
    const same = secret.versions.find((v) => v.id === id);
    if (same) {
      if (same.secretString !== value.secretString || same.secretBinary !== value.secretBinary)
        throw new AwsFault(
          'ResourceExistsException',
          "You can't modify an existing version, you can only create new versions.",
        );
      return { ARN: secret.arn, Name: secret.name, VersionId: same.id, VersionStages: same.stages };
    }
    for (const v of secret.versions) v.stages = v.stages.filter((stage) => stage !== 'AWSPREVIOUS');
    for (const v of secret.versions)
      if (v.stages.includes('AWSCURRENT'))
        v.stages = [...v.stages.filter((stage) => stage !== 'AWSCURRENT'), 'AWSPREVIOUS'];
    const now = Date.now();
    const version = { id, stages: ['AWSCURRENT'], created: now, ...value };
    secret.versions.push(version);
    secret.changed = now;
    return { ARN: secret.arn, Name: secret.name, VersionId: id, VersionStages: version.stages };
  }

  private deleteSecret(body: Record<string, unknown>) {
    const secret = this.known(body.SecretId);
    const force = body.ForceDeleteWithoutRecovery === true;
    const days = body.RecoveryWindowInDays;
    if (force && days !== undefined)
      throw new AwsFault(
        'InvalidParameterException',
        "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
      );
    if (days !== undefined && (typeof days !== 'number' || days < 7 || days > 30))
      throw new AwsFault(
        'InvalidParameterException',
        'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).',
      );
    if (secret.deletedAt !== undefined && !force)
      throw new AwsFault(
        'InvalidRequestException',
        "You can't perform this operation on the secret because it was marked for deletion.",
      );
    const now = Date.now();
    if (force) this.secrets.delete(secret.name);
    else secret.deletedAt = now;
    const deletion = force ? now : now + (typeof days === 'number' ? days : 30) * 86_400_000;
    return { ARN: secret.arn, Name: secret.name, DeletionDate: seconds(deletion) };
  }

  private describeSecret(body: Record<string, unknown>) {
    const secret = this.known(body.SecretId);
    return {
      ARN: secret.arn,
      Name: secret.name,
      ...(secret.description !== undefined ? { Description: secret.description } : {}),
      CreatedDate: seconds(secret.created),
      LastChangedDate: seconds(secret.changed),
      ...(secret.deletedAt !== undefined ? { DeletedDate: seconds(secret.deletedAt) } : {}),
      VersionIdsToStages: Object.fromEntries(secret.versions.map((v) => [v.id, v.stages])),
    };
  }

  private known(id: unknown): StoredSecret {
    if (typeof id !== 'string' || id.length === 0)
      throw new AwsFault('InvalidParameterException', 'SecretId is required.');
    const secret = this.find(id);
    if (!secret)
      throw new AwsFault('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  }

  private live(id: unknown): StoredSecret {
    const secret = this.known(id);
    if (secret.deletedAt !== undefined)
      throw new AwsFault(
        'InvalidRequestException',
        "You can't perform this operation on the secret because it was marked for deletion.",
      );
    return secret;
  }
}

function secretValue(
  body: Record<string, unknown>,
  required: boolean,
): Pick<Version, 'secretString' | 'secretBinary'> | undefined {
  const { SecretString: text, SecretBinary: binary } = body;
  if (text !== undefined && binary !== undefined)
    throw new AwsFault(
      'InvalidParameterException',
      'You must provide either SecretString or SecretBinary, but not both.',
    );
  if (typeof text === 'string') return { secretString: text };
  if (typeof binary === 'string') return { secretBinary: binary };
  if (required)
    throw new AwsFault('InvalidParameterException', 'You must provide either SecretString or SecretBinary.');
  return undefined;
}

/** The version id: the caller's ClientRequestToken (the SDK always sends one), 32 to 64 characters. */
function requestToken(body: Record<string, unknown>): string {
  const token = body.ClientRequestToken ?? randomUUID();
  if (typeof token !== 'string' || token.length < 32 || token.length > 64)
    throw new AwsFault('InvalidParameterException', 'ClientRequestToken must be 32 to 64 characters.');
  return token;
}

/**
 * Starts a stand-in and gives this test process dummy keys, which the SDK's default credential chain
 * finds first (in the environment), so no real AWS credentials or profiles are ever consulted.
 */
/** Dummy credentials for the AWS SDK's default provider chain: the stand-ins do not verify signatures. */
export function useStandInAwsCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID = 'AKIDSTANDIN0000000000';
  process.env.AWS_SECRET_ACCESS_KEY = 'stand-in-secret-access-key';
  process.env.AWS_SESSION_TOKEN = '';
  // The SDK's notice that its 2027 releases need Node 22; noise in test output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}

export async function startSecretsManagerStandIn(): Promise<SecretsManagerStandIn> {
  useStandInAwsCredentials();
  return new SecretsManagerStandIn().start();
}
