-- A batch takes its events and marks them processed in one statement, in the transaction that
-- processes them: a rollback (a failed batch, a dead worker) returns them to what they were. Before,
-- the batch claimed them with webhook_events_claim (0017) and marked them in a statement of its own just
-- before its commit, one round trip more per batch. The claim itself is still that function's. Returned
-- oldest first, with the attempts made before this one; seqscan off so the marks go through the primary
-- key whatever the planner guesses of the claim's size.
CREATE FUNCTION webhook_events_take(own_ids text[], take_more boolean, max_more integer)
RETURNS TABLE (id text, body text, attempts integer)
LANGUAGE sql
SET enable_seqscan = off
AS $$
  with taken as (
    update webhook_events w
    set status = 'processed', attempts = w.attempts + 1, processed_at = now(), last_error = null
    where w.id in (select claimed.id from webhook_events_claim(own_ids, take_more, max_more) claimed)
    returning w.id, w.body, w.attempts - 1 as attempts, w.received_at
  )
  select taken.id, taken.body, taken.attempts from taken order by taken.received_at, taken.id
$$;
