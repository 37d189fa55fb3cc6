/**
 * Once per test run: build one migrated database template, so each test file starts from a copy
 * in milliseconds instead of migrating its own.
 *
 * - PGlite (default): migrate an in-memory PGlite and dump its data directory to a file.
 * - PostgreSQL (LATCHKEY_TEST_DATABASE_URL=postgres://…/db): create a template database
 *   `<db>_template` migrated once; each file then creates its own database from it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openStore } from '../../src/store/db.js';
import { adminUrl, templateName } from './pg-names.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Each vitest project says which backend it runs on through its `env` (vitest.config.ts).
  const url = project.config.env?.LATCHKEY_TEST_DATABASE_URL ?? process.env.LATCHKEY_TEST_DATABASE_URL;
  if (url) {
    const postgres = (await import('postgres')).default;
    const admin = postgres(adminUrl(url), { max: 1, onnotice: () => {} });
    // One template per run, so two runs against one server (or two projects) never share it.
    const template = `${templateName(url)}_${randomBytes(4).toString('hex')}`;
    try {
      await admin.unsafe(`drop database if exists "${template}" with (force)`);
      await admin.unsafe(`create database "${template}"`);
      const u = new URL(url);
      u.pathname = `/${template}`;
      const store = await openStore({ databaseUrl: u.toString(), poolSize: 1 });
      try {
        await store.migrate();
      } finally {
        await store.close();
      }
    } finally {
      await admin.end();
    }
    project.provide('postgresTemplate', template);
    project.provide('pgliteTemplate', '');
    return async () => {
      const cleanup = postgres(adminUrl(url), { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists "${template}" with (force)`).catch(() => {});
      await cleanup.end();
    };
  }
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-template-'));
  const store = await openStore({});
  await store.migrate();
  const client = (store.db as unknown as { $client: { dumpDataDir(c: 'none'): Promise<Blob> } }).$client;
  const dump = await client.dumpDataDir('none');
  const file = join(dir, 'template.tar');
  await writeFile(file, Buffer.from(await dump.arrayBuffer()));
  await store.close();
  project.provide('pgliteTemplate', file);
  project.provide('postgresTemplate', '');
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}
