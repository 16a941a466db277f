import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { exportAuditCsv } from '../../../src/modules/audit/audit.service.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';

let t: TestApp;
before(async () => {
  t = await createTestApp({ modules: [] });
  await t.platform.db.execute(sql`
    insert into audit_log (id, workspace_id, occurred_at, actor_type, action, resource_type)
    select 'aud_1' || lpad(to_hex(g), 25, '0'), 'ws_stream', now(), 'system', 'bulk.row', 'test'
    from generate_series(1, 20000) g`);
});
after(async () => {
  await t.close();
});

test('the export reads batches only as the consumer asks for more (no whole-set buffering)', async () => {
  let batches = 0;
  const stream = exportAuditCsv(t.platform.db, 'ws_stream', {}, { batchSize: 500, onBatch: () => batches++ });
  const iterator = stream[Symbol.asyncIterator]();
  await iterator.next();
  // Give the pipeline time to run ahead as far as back-pressure lets it.
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.ok(batches <= 4, `read ${batches} of 40 batches before the consumer asked for them`);

  let rest = 0;
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) rest += 1;
  assert.ok(rest > 0);
  assert.equal(batches, 41, 'every batch was read by the end (40 full, one empty)');
});
