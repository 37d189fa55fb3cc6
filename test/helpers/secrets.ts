/** Scans for secrets that must never be written: every log line and every audit row of a test service. */
import { expect } from 'vitest';
import { auditEvents } from '../../src/store/schema.js';
import type { TestService } from './service.js';

/** Fails the test if any of `secrets` appears in the service's log lines or in any audit row. */
export async function expectNoSecretsWritten(svc: TestService, secrets: readonly string[]): Promise<void> {
  const rows = await svc.store.db.select().from(auditEvents);
  expect(rows.length).toBeGreaterThan(0);
  const written = [...svc.logs, ...rows.map((r) => JSON.stringify(r))].join('\n');
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(0);
    // JSON escapes some characters: look for the raw text and its JSON form.
    expect(written).not.toContain(secret);
    expect(written).not.toContain(JSON.stringify(secret).slice(1, -1));
  }
}
