/**
 * The account password policy's rules, pure (no IO, time is a parameter): what a new password
 * must contain, and when a password has expired. Used by the IAM password operations
 * (src/iam/login-profiles.ts) and by console sign-in (src/iam/sign-in.ts).
 *
 * Sources: IAM User Guide, "Setting an account password policy for IAM users" (the default policy,
 * the custom options, and that expiry is enforced at once while length and classes apply at the next
 * change); UpdateAccountPasswordPolicy and PasswordPolicy in the IAM API reference (the symbol set,
 * ExpirePasswords).
 */

/** An account's password policy, as UpdateAccountPasswordPolicy sets it. */
export interface PasswordPolicy {
  readonly minimumPasswordLength: number;
  readonly requireSymbols: boolean;
  readonly requireNumbers: boolean;
  readonly requireUppercaseCharacters: boolean;
  readonly requireLowercaseCharacters: boolean;
  readonly allowUsersToChangePassword: boolean;
  /** Days; null: passwords never expire. */
  readonly maxPasswordAge: number | null;
  /** How many previous passwords may not be reused; null: any may. */
  readonly passwordReusePrevention: number | null;
  /** Null when never set (reported only when set). */
  readonly hardExpiry: boolean | null;
}

/** UpdateAccountPasswordPolicy's default for MinimumPasswordLength when the request leaves it out (API reference: 6). */
export const CUSTOM_POLICY_DEFAULT_LENGTH = 6;

/**
 * The rules when the account has no custom policy ("Default password policy"): at least 8
 * characters, and at least three of the four character types (upper case, lower case, numbers,
 * symbols). AWS's third rule, "not identical to your AWS account name or email address", is kept
 * as: not identical to the account's id or alias (the only account names this service has).
 */
export const DEFAULT_MINIMUM_LENGTH = 8;
export const DEFAULT_CLASSES_REQUIRED = 3;

/** The non-alphanumeric characters that count as symbols: exactly AWS's list `! @ # $ % ^ & * ( ) _ + - = [ ] { } | '`. */
const SYMBOLS = new Set("!@#$%^&*()_+-=[]{}|'");

export interface CharacterClasses {
  readonly uppercase: boolean;
  readonly lowercase: boolean;
  readonly numbers: boolean;
  readonly symbols: boolean;
}

/** Which of the four character types `password` contains (ISO basic Latin letters and digits only). */
export function classesOf(password: string): CharacterClasses {
  let uppercase = false;
  let lowercase = false;
  let numbers = false;
  let symbols = false;
  for (const ch of password) {
    if (ch >= 'A' && ch <= 'Z') uppercase = true;
    else if (ch >= 'a' && ch <= 'z') lowercase = true;
    else if (ch >= '0' && ch <= '9') numbers = true;
    else if (SYMBOLS.has(ch)) symbols = true;
  }
  return { uppercase, lowercase, numbers, symbols };
}

/**
 * AWS's texts for each unmet requirement. "Password should have at least one uppercase letter" and
 * "… at least one symbol" are observed in AWS's answers (CloudFormation, 2023: "Password should
 * meet 1 more of the following requirements: Password should have at least one uppercase letter,
 * Password should have at least one symbol"); the lowercase, number and length texts follow their
 * form and are not confirmed.
 */
export const REQUIREMENT_TEXT = {
  uppercase: 'Password should have at least one uppercase letter',
  lowercase: 'Password should have at least one lowercase letter',
  numbers: 'Password should have at least one number',
  symbols: 'Password should have at least one symbol',
  length: (n: number) => `Password should have a minimum length of ${n}`,
} as const;

/** The text AWS answers with when a password is one of the last N (not confirmed). */
export const REUSED_TEXT = (n: number) => `Password should not be one of your last ${n} passwords`;

/** The names a password may not equal under the default policy (the account's id and alias). */
export interface AccountNames {
  readonly id: string;
  readonly alias: string | null;
}

/**
 * The PasswordPolicyViolation message for `password` under `policy` (the account's custom policy,
 * or AWS's default when there is none), or undefined when it meets every requirement. The length
 * and characters the model allows (1 to 128, tab, LF, CR, U+0020 to U+00FF) were checked before.
 */
export function policyViolation(policy: PasswordPolicy | undefined, password: string, account: AccountNames): string | undefined {
  const has = classesOf(password);
  if (!policy) {
    const missing: string[] = [];
    if (password.length < DEFAULT_MINIMUM_LENGTH) return REQUIREMENT_TEXT.length(DEFAULT_MINIMUM_LENGTH);
    if (password === account.id || (account.alias !== null && password.toLowerCase() === account.alias)) {
      return 'Password should not be identical to the account name';
    }
    for (const k of ['uppercase', 'lowercase', 'numbers', 'symbols'] as const) if (!has[k]) missing.push(REQUIREMENT_TEXT[k]);
    const short = missing.length - (4 - DEFAULT_CLASSES_REQUIRED);
    if (short <= 0) return undefined;
    return `Password should meet ${short} more of the following requirements: ${missing.join(', ')}`;
  }
  const unmet: string[] = [];
  if (password.length < policy.minimumPasswordLength) unmet.push(REQUIREMENT_TEXT.length(policy.minimumPasswordLength));
  if (policy.requireUppercaseCharacters && !has.uppercase) unmet.push(REQUIREMENT_TEXT.uppercase);
  if (policy.requireLowercaseCharacters && !has.lowercase) unmet.push(REQUIREMENT_TEXT.lowercase);
  if (policy.requireNumbers && !has.numbers) unmet.push(REQUIREMENT_TEXT.numbers);
  if (policy.requireSymbols && !has.symbols) unmet.push(REQUIREMENT_TEXT.symbols);
  return unmet.length > 0 ? unmet.join(', ') : undefined;
}

const DAY_MS = 86_400_000;

/**
 * When a password set at `setAt` expires under `policy` (undefined: never). Expiry is enforced at
 * once when a policy sets MaxPasswordAge: a password older than that has already expired.
 */
export function expiresAt(policy: PasswordPolicy | undefined, setAt: Date): Date | undefined {
  const days = policy?.maxPasswordAge;
  if (days === null || days === undefined || days <= 0) return undefined;
  return new Date(setAt.getTime() + days * DAY_MS);
}

export function isExpired(policy: PasswordPolicy | undefined, setAt: Date, now: Date): boolean {
  const at = expiresAt(policy, setAt);
  return at !== undefined && now.getTime() >= at.getTime();
}

/** How many earlier passwords a new one is checked against (0: none). */
export function reuseDepth(policy: PasswordPolicy | undefined): number {
  return policy?.passwordReusePrevention ?? 0;
}
