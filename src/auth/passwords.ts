/**
 * Password hashing: argon2id through @node-rs/argon2, and the only file that imports it.
 *
 * Parameters are OWASP's (Password Storage Cheat Sheet: "Argon2id with a minimum configuration of
 * 19 MiB of memory, an iteration count of 2, and 1 degree of parallelism"), passed explicitly on
 * every call: the library's defaults have been below them in earlier releases (4 MiB, t=3), and a
 * default that changes under us must not change what we store. The hash is stored as its PHC string
 * (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`), which carries its own parameters, so a stored hash
 * made with other parameters is still verified, and is replaced after a successful sign-in
 * (needsRehash).
 *
 * Both hash and verify run on the library's thread pool (async), never on the event loop.
 */
import { hash, parseOptions, verify, type Options } from '@node-rs/argon2';

/** The parameters every new hash is made with. `algorithm` 2 is Argon2id (a const enum upstream), `version` 1 is 0x13. */
export const ARGON2_PARAMS = { algorithm: 2, version: 1, memoryCost: 19_456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

export type Argon2Params = Pick<Options, 'memoryCost' | 'timeCost' | 'parallelism' | 'outputLen'>;

/**
 * A hash of a random password nobody knows, with ARGON2_PARAMS: verified against when the user or
 * its login profile does not exist, so that a failed sign-in costs the same whether or not the
 * user exists (a unit test checks that its parameters are ARGON2_PARAMS).
 */
export const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$5N8vSF/5MUK9XT0jLqyCRg$2vJAqHlzMVMM5HC7R9PdfedSAcY7STK+6zF9h3/SeFk';

/** The PHC string of `password` (a fresh 16-byte salt each time). `params` other than ARGON2_PARAMS only in tests of rehashing. */
export function hashPassword(password: string, params: Argon2Params = ARGON2_PARAMS): Promise<string> {
  return hash(password, { ...ARGON2_PARAMS, ...params });
}

/**
 * Whether `password` is the one `phc` was made from; false (never a throw) for a stored value that
 * is no argon2 PHC string. The comparison inside the library is constant-time.
 */
export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, password);
  } catch {
    return false;
  }
}

/** Spend one verification's time and fail: the path of a user or profile that does not exist. */
export async function verifyNothing(password: string): Promise<false> {
  await verifyPassword(DUMMY_HASH, password);
  return false;
}

/** The parameters a PHC string was made with, or undefined when it is no argon2 hash. */
export function hashParams(phc: string): { algorithm: number; version: number; memoryCost: number; timeCost: number; parallelism: number; outputLen: number } | undefined {
  try {
    const o = parseOptions(phc);
    return { algorithm: o.algorithm, version: o.version, memoryCost: o.memoryCost, timeCost: o.timeCost, parallelism: o.parallelism, outputLen: o.outputLen };
  } catch {
    return undefined;
  }
}

/** A stored hash made with other parameters (or another algorithm) than ARGON2_PARAMS: replace it once the password is known. */
export function needsRehash(phc: string): boolean {
  const p = hashParams(phc);
  if (!p) return true;
  return (Object.keys(ARGON2_PARAMS) as (keyof typeof ARGON2_PARAMS)[]).some((k) => p[k] !== ARGON2_PARAMS[k]);
}
