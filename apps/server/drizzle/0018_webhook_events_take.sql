-- A batch takes its events and marks them processed in one statement, in the transaction that
-- processes them: a rollback (a failed batch, a dead worker) returns them to what they were. Before,
-- the batch claimed them here and marked them in a statement of its own just before its commit, one
-- round trip more per batch. Returned oldest first, with the attempts made before this one.
-- webhook_events_claim stays for processes of the previous version during a rolling upgrade.
CREATE FUNCTION webhook_events_take(own_ids text[], take_more boolean, max_more integer)
RETURNS TABLE (id text, body text, attempts integer)
LANGUAGE sql
SET enable_bitmapscan = off
SET enable_seqscan = off
AS $$
  with own as (
    select e.id from webhook_events e
    where e.id = any(own_ids) and e.status in ('pending', 'failed')
    for update skip locked
  ), more as (
    select e.id from webhook_events e
    where take_more and e.status = 'pending' and e.id <> all(own_ids)
    order by e.received_at
    limit max_more
    for update skip locked
  ), taken as (
    update webhook_events w
    set status = 'processed', attempts = w.attempts + 1, processed_at = now(), last_error = null
    where w.id in (select own.id from own union all select more.id from more)
    returning w.id, w.body, w.attempts - 1 as attempts, w.received_at
  )
  select taken.id, taken.body, taken.attempts from taken order by taken.received_at, taken.id
$$;
