/**
 * Upgrading a database whose roles were saved before trust principals were stored by unique id:
 * the migration `trust_principal_ids` marks every existing role, and Store.migrate converts them
 * (src/store/roles.ts). Run on the backend under test, from an empty database migrated
 * only up to the migration before it.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { expect, test } from 'vitest';
import { MIGRATIONS_FOLDER, openStore, type Store } from '../../src/store/db.js';
import { roles } from '../../src/store/schema.js';
import { DELETED_PRINCIPAL_ID } from '../../src/store/roles.js';
import { scratchDatabase } from '../helpers/scratch-database.js';
import { backend } from '../helpers/store.js';

/** A copy of migrations/ whose journal ends just before `tag`. */
async function migrationsBefore(tag: string): Promise<{ folder: string; remove(): Promise<void> }> {
  const folder = await mkdtemp(join(tmpdir(), 'latchkey-migrations-'));
  await cp(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(await readFile(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const cut = journal.entries.findIndex((e) => e.tag.endsWith(`_${tag}`));
  if (cut < 0) throw new Error(`no migration ${tag}`);
  journal.entries = journal.entries.slice(0, cut);
  await writeFile(journalPath, JSON.stringify(journal));
  return { folder, remove: () => rm(folder, { recursive: true, force: true }) };
}

async function emptyStore(): Promise<{ store: Store; close(): Promise<void> }> {
  const url = process.env.LATCHKEY_TEST_DATABASE_URL;
  if (!url) {
    const store = await openStore({});
    return { store, close: () => store.close() };
  }
  const scratch = await scratchDatabase(url, 'latchkey_upgrade');
  const store = await openStore({ databaseUrl: scratch.url, poolSize: 2 });
  return {
    store,
    async close() {
      await store.close();
      await scratch.drop();
    },
  };
}

async function migrateWith(store: Store, folder: string): Promise<void> {
  if (store.backend === 'pglite') {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(store.db as never, { migrationsFolder: folder });
  } else {
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    await migrate(store.db as never, { migrationsFolder: folder });
  }
}

test(`an upgraded database converts the trust policies it holds (${backend})`, async () => {
  const before = await migrationsBefore('trust_principal_ids');
  const { store, close } = await emptyStore();
  try {
    await migrateWith(store, before.folder);
    const acct = '111122223333';
    const alice = 'AIDAALICEALICEALICEAL';
    const app = 'AROAAPPAPPAPPAPPAPPAP';
    const legacy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: [`arn:aws:iam::${acct}:user/alice`, `arn:aws:iam::${acct}:user/gone`, `arn:aws:iam::${acct}:role/App`, `arn:aws:iam::${acct}:root`] },
          Action: 'sts:AssumeRole',
        },
      ],
    });
    const now = new Date().toISOString();
    await store.db.execute(sql`insert into accounts (id, created_at) values (${acct}, ${now})`);
    await store.db.execute(sql`insert into users (id, account_id, name, name_lower, path, created_at) values (${alice}, ${acct}, 'alice', 'alice', '/', ${now})`);
    await store.db.execute(sql`insert into roles (id, account_id, name, name_lower, path, created_at, trust_policy, max_session_duration)
      values (${app}, ${acct}, 'App', 'app', '/', ${now}, ${legacy}, 3600)`);

    await store.migrate();
    const [row] = await store.db.select({ trustPolicy: roles.trustPolicy, trustPrincipalIds: roles.trustPrincipalIds }).from(roles).where(eq(roles.id, app));
    expect(row).toEqual({
      trustPolicy: legacy
        .replace(`"arn:aws:iam::${acct}:user/alice"`, `"${alice}"`)
        .replace(`"arn:aws:iam::${acct}:user/gone"`, `"${DELETED_PRINCIPAL_ID.user}"`)
        .replace(`"arn:aws:iam::${acct}:role/App"`, `"${app}"`),
      trustPrincipalIds: true,
    });
    expect(await store.ready()).toBe(true);
  } finally {
    await close();
    await before.remove();
  }
}, 60_000);
