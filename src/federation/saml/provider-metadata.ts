/**
 * A provider's encryption keys for its SP metadata (sp-metadata.ts): the public half of each of
 * its private keys, found by SAMLProviderUUID (the path names it, as AWS's names its IdP). The
 * private keys are opened from the keyring only to derive the public key and are never returned.
 */
import type { Db } from '../../store/db.js';
import { findSamlProviderByUuid, listSamlProviderKeys } from '../../store/saml-providers.js';
import type { Keyring } from '../../tokens/keyring.js';
import { rsaPublicValue, samlKeyAad } from './private-key.js';
import type { EncryptionKey } from './sp-metadata.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Undefined when no provider has this UUID. */
export async function providerEncryptionKeys(db: Db, keyring: Keyring, uuid: string): Promise<EncryptionKey[] | undefined> {
  // Anything else is no provider's: not worth a query.
  if (!UUID.test(uuid)) return undefined;
  const provider = await findSamlProviderByUuid(db, uuid);
  if (!provider) return undefined;
  const keys: EncryptionKey[] = [];
  for (const key of await listSamlProviderKeys(db, provider.arn)) {
    const pem = keyring.open(key.keySealed, samlKeyAad(provider.arn, key.keyId));
    // A key sealed under a keyring key since retired cannot be published (nor used).
    if (pem) keys.push({ keyId: key.keyId, ...rsaPublicValue(pem.toString('utf8')) });
  }
  return keys;
}
