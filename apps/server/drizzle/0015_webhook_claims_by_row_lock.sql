-- Claims are now row locks held by the processing transaction (FOR UPDATE SKIP LOCKED): nothing to
-- write per claim, and nothing left behind by a worker that dies.
ALTER TABLE "webhook_events" DROP COLUMN "claimed_at";