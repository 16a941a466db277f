-- Claims walked the (status, received_at) index, where every processed event leaves a dead 'pending'
-- entry until VACUUM: each claim's bitmap scan revisited thousands of them and their heap pages. The
-- partial indexes hold only events that still need something; an ordered scan of the pending one marks
-- the dead entries it passes, so later claims skip them. VACUUM and ANALYZE come sooner on this table:
-- its dead entries and its share of pending rows change by the second.
DROP INDEX "webhook_events_status_received_idx";--> statement-breakpoint
CREATE INDEX "webhook_events_pending_idx" ON "webhook_events" USING btree ("received_at") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "webhook_events_failed_idx" ON "webhook_events" USING btree ("received_at") WHERE status in ('failed', 'dead');--> statement-breakpoint
ALTER TABLE "webhook_events" SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.01);
--> statement-breakpoint
-- The claim (webhooks.service.ts, claimWebhookEvents): own events plus the oldest pending ones, locked
-- for the caller's transaction, rows held by others skipped. A function so that its plan is pinned to an
-- ordered index scan: the planner, seeing few pending rows, prefers a bitmap scan and a sort, and a
-- bitmap scan visits every dead entry each time instead of marking them.
CREATE FUNCTION webhook_events_claim(own_ids text[], take_more boolean, max_more integer)
RETURNS TABLE (id text, body text, attempts integer)
LANGUAGE sql
SET enable_bitmapscan = off
SET enable_seqscan = off
AS $$
  with own as (
    select e.id, e.body, e.attempts from webhook_events e
    where e.id = any(own_ids) and e.status in ('pending', 'failed')
    for update skip locked
  ), more as (
    select e.id, e.body, e.attempts from webhook_events e
    where take_more and e.status = 'pending' and e.id <> all(own_ids)
    order by e.received_at
    limit max_more
    for update skip locked
  )
  select * from own union all select * from more
$$;
