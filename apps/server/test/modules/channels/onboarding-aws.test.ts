import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startSecretsManagerStandIn } from '../../helpers/secrets-manager-stand-in.js';

/**
 * The onboarding suite again, with the vault's AWS Secrets Manager backend (against the stand-in): the
 * vault's callers must not notice which backend holds the ciphertexts.
 */
const aws = await startSecretsManagerStandIn();
process.env.TEST_VAULT_AWS_ENDPOINT = aws.url;
await import('./onboarding.test.js');

test('the tokens and PINs of the suite were sealed into Secrets Manager', () => {
  const created = aws.requests.filter((r) => r.operation === 'CreateSecret');
  assert.ok(created.length >= 4, `${created.length} secrets created`);
  assert.ok(
    created.every((r) => typeof r.body.SecretBinary === 'string' && r.body.SecretString === undefined),
  );
  assert.ok(
    aws.requests.some((r) => r.operation === 'GetSecretValue'),
    'and opened from there',
  );
});
after(() => aws.close());
