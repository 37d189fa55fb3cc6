/**
 * What each command does, given the parsed configuration and somewhere to write. Results (JSON
 * for anything a script reads) go to `out`; warnings and explanations go to `err`. Secrets are
 * written once, to `out`, and only by the commands that create them.
 */
import { mkdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { bootstrapFirstAccount, createAccount, type NewAccount } from '../accounts/accounts.js';
import type { Config } from '../config.js';
import { countAccounts, findAccount, findAccountByAlias, listAccounts } from '../store/accounts.js';
import { openStore, type Store } from '../store/db.js';
import { rotateKeys } from '../tokens/keys-dir.js';
import type { Command } from './args.js';
import { StartupError } from '../boot/startup-error.js';
import { loadKeyring, requireKeysInProduction } from '../boot/keyring.js';
import { lastApplied, migrationFiles, pending } from '../store/migrations.js';
import { lockPglite } from '../boot/pglite-lock.js';
import { AwsError } from '../errors.js';
import { queryAuditEvents, type AuditRow } from '../store/audit.js';
import { operatorAudit, revokeOlderRoleSessions, revokeSession } from '../sts/revocation.js';

export interface CliContext {
  readonly config: Config;
  readonly now: () => Date;
  /** stdout */
  readonly out: (text: string) => void;
  /** stderr */
  readonly err: (text: string) => void;
}

/** Run one command (help is printed by the caller, serve is the server: src/main.ts). */
export async function runCommand(command: Exclude<Command, { name: 'help' | 'serve' }>, ctx: CliContext): Promise<void> {
  switch (command.name) {
    case 'migrate':
      return migrate(ctx);
    case 'bootstrap':
      return bootstrap(ctx);
    case 'accounts create':
      return createAccountCommand(command, ctx);
    case 'accounts list':
      return listAccountsCommand(ctx);
    case 'keys rotate':
      return rotateKeysCommand(ctx);
    case 'audit':
      return auditCommand(command, ctx);
    case 'sessions revoke':
      return revokeSessionCommand(command, ctx);
    case 'sessions revoke-role':
      return revokeRoleCommand(command, ctx);
  }
}

async function migrate(ctx: CliContext): Promise<void> {
  await withStore(ctx, 'migrate', async (store) => {
    const files = await migrationFiles();
    const todo = pending(files, await lastApplied(store.db));
    await store.migrate();
    for (const f of todo) ctx.out(`applied ${f.tag}\n`);
    const state = todo.length === 0 ? 'already up to date' : 'up to date';
    ctx.out(`${describeDatabase(ctx.config)}: ${state} (${files.length} migration${files.length === 1 ? '' : 's'})\n`);
  }, { create: true });
}

async function bootstrap(ctx: CliContext): Promise<void> {
  const { config } = ctx;
  await requireKeysInProduction(config);
  await withStore(ctx, 'bootstrap', async (store) => {
    await requireMigrated(store);
    if ((await countAccounts(store.db)) > 0) {
      ctx.err('an account already exists: nothing to do (`accounts create` makes another one)\n');
      return;
    }
    const now = ctx.now();
    const keyring = await loadKeyring(config, now, true, (line) => ctx.err(`${line}\n`));
    const created = await bootstrapFirstAccount(store, keyring, now, {
      accountId: config.accountId,
      rootAccessKeyId: config.rootAccessKeyId,
      rootSecretAccessKey: config.rootSecretAccessKey,
    });
    if (!created) {
      ctx.err('an account already exists: nothing to do (`accounts create` makes another one)\n');
      return;
    }
    // A secret the operator supplied (STS_ROOT_SECRET_ACCESS_KEY) is not echoed back.
    ctx.out(printable(created, config.rootSecretAccessKey === undefined));
    ctx.err('first account created: this is the only time its root secret is shown; store it somewhere safe\n');
  });
}

async function createAccountCommand(command: Extract<Command, { name: 'accounts create' }>, ctx: CliContext): Promise<void> {
  const { config } = ctx;
  await requireKeysInProduction(config);
  await withStore(ctx, 'accounts create', async (store) => {
    await requireMigrated(store);
    const now = ctx.now();
    const keyring = await loadKeyring(config, now, (await countAccounts(store.db)) === 0, (line) => ctx.err(`${line}\n`));
    if (command.id !== undefined && (await findAccount(store.db, command.id))) throw new StartupError(1, `account ${command.id} already exists`);
    // An alias is unique across the service, as CreateAccountAlias keeps it (src/iam/account-aliases.ts).
    if (command.alias !== undefined && (await findAccountByAlias(store.db, command.alias))) throw new StartupError(1, `the alias ${command.alias} belongs to another account`);
    const created = await createAccount(store, keyring, now, { accountId: command.id, alias: command.alias });
    ctx.out(printable(created, true));
  });
}

async function listAccountsCommand(ctx: CliContext): Promise<void> {
  await withStore(ctx, 'accounts list', async (store) => {
    await requireMigrated(store);
    const accounts = await listAccounts(store.db);
    ctx.out(`${JSON.stringify(accounts.map((a) => ({ AccountId: a.id, Alias: a.alias, Created: a.createdAt.toISOString() })), null, 2)}\n`);
  });
}

async function rotateKeysCommand(ctx: CliContext): Promise<void> {
  const { kid, count } = await rotateKeys(ctx.config.keysDir, ctx.now());
  ctx.out(`${JSON.stringify({ Kid: kid, KeyCount: count })}\n`);
  ctx.err(`new key ${kid} added to ${resolve(ctx.config.keysDir)}; older keys keep opening what they sealed. Give every node the new keyring and restart them all.\n`);
}

/** One JSON object per line, newest first: easy to grep, and to pipe into jq. */
async function auditCommand(command: Extract<Command, { name: 'audit' }>, ctx: CliContext): Promise<void> {
  await withStore(ctx, 'audit', async (store) => {
    await requireMigrated(store);
    const rows = await queryAuditEvents(store.db, command.query);
    for (const row of rows) ctx.out(`${JSON.stringify(printableEvent(row))}\n`);
    if (rows.length === command.query.limit) ctx.err(`showing the newest ${rows.length} events; --limit shows more, --since fewer\n`);
  });
}

export function printableEvent(row: AuditRow): Record<string, unknown> {
  return {
    EventTime: row.at.toISOString(),
    EventId: row.id,
    AccountId: row.accountId,
    Action: row.action,
    Decision: row.decision,
    ErrorCode: row.errorCode,
    PrincipalArn: row.principalArn,
    AccessKeyId: row.accessKeyId,
    SourceIdentity: row.sourceIdentity,
    Resource: row.resource,
    SourceIp: row.sourceIp,
    UserAgent: row.userAgent,
    RequestId: row.requestId,
    Details: parseDetails(row.details),
  };
}

function parseDetails(details: string | null): unknown {
  if (details === null) return null;
  try {
    return JSON.parse(details) as unknown;
  } catch {
    return details;
  }
}

async function revokeSessionCommand(command: Extract<Command, { name: 'sessions revoke' }>, ctx: CliContext): Promise<void> {
  await withStore(ctx, 'sessions revoke', async (store) => {
    await requireMigrated(store);
    await requireAccount(store, command.accountId);
    const now = ctx.now();
    const done = await revokeSession(store, { accountId: command.accountId, jti: command.jti, now, audit: operatorAudit(now, 'sessions revoke') });
    ctx.out(`${JSON.stringify({ AccountId: command.accountId, Jti: command.jti, RevokedAt: now.toISOString(), ExpiresAt: done.expiresAt.toISOString(), AlreadyRevoked: !done.revoked })}\n`);
    if (!done.issuanceFound) {
      ctx.err(`no issuance of session ${command.jti} in account ${command.accountId}'s audit trail: revoked anyway, kept until ${done.expiresAt.toISOString()} (the longest a session can live). Check the account: a role session belongs to the role's account.\n`);
    }
  });
}

async function revokeRoleCommand(command: Extract<Command, { name: 'sessions revoke-role' }>, ctx: CliContext): Promise<void> {
  await withStore(ctx, 'sessions revoke-role', async (store) => {
    await requireMigrated(store);
    await requireAccount(store, command.accountId);
    const now = ctx.now();
    try {
      const done = await revokeOlderRoleSessions(store, { accountId: command.accountId, roleName: command.roleName, now, audit: operatorAudit(now, 'sessions revoke-role') });
      ctx.out(`${JSON.stringify({ RoleArn: done.roleArn, PolicyName: done.policyName, RevokedBefore: now.toISOString(), PolicyDocument: JSON.parse(done.policyDocument) as unknown })}\n`);
      ctx.err(`sessions of ${done.roleArn} issued before ${now.toISOString()} are now denied every action; delete the inline policy ${done.policyName} to undo\n`);
    } catch (e) {
      if (e instanceof AwsError) throw new StartupError(1, e.message);
      throw e;
    }
  });
}

async function requireAccount(store: Store, accountId: string): Promise<void> {
  if (!(await findAccount(store.db, accountId))) throw new StartupError(1, `no account ${accountId}`);
}

function printable(account: NewAccount, withSecret: boolean): string {
  const fields = { AccountId: account.accountId, AccessKeyId: account.accessKeyId, ...(withSecret ? { SecretAccessKey: account.secretAccessKey } : {}) };
  return `${JSON.stringify(fields, null, 2)}\n`;
}

/** Where the data is, without the password. */
export function describeDatabase(config: Config): string {
  if (!config.databaseUrl) return `embedded database ${resolve(config.dataDir, 'pglite')}`;
  const u = new URL(config.databaseUrl);
  return `PostgreSQL ${u.host}${u.pathname}`;
}

async function requireMigrated(store: Store): Promise<void> {
  if (!(await store.ready())) throw new StartupError(1, 'the database is not migrated: run `npm run migrate` first');
}

/**
 * Open the configured store for the duration of `fn`. The embedded database is locked first and
 * only `migrate` may create it: any other command on a missing directory would leave an empty
 * database behind.
 */
async function withStore(ctx: CliContext, holder: string, fn: (store: Store) => Promise<void>, options: { create?: boolean } = {}): Promise<void> {
  const { config } = ctx;
  if (config.databaseUrl) {
    const store = await openStore({ databaseUrl: config.databaseUrl, poolSize: 2 });
    try {
      await fn(store);
    } finally {
      await store.close();
    }
    return;
  }
  const dir = resolve(config.dataDir, 'pglite');
  if (!options.create && !(await isDirectory(dir))) throw new StartupError(1, `no database in ${dir}: run \`npm run migrate\` first (or set DATABASE_URL)`);
  const release = await lockPglite(resolve(config.dataDir, 'pglite.lock'), `latchkey ${holder}`, ctx.now());
  try {
    await mkdir(dir, { recursive: true });
    const store = await openStore({ dataDir: dir });
    try {
      await fn(store);
    } finally {
      await store.close();
    }
  } finally {
    await release();
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
