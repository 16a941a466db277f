-- Inbox search (conversations module, search.ts). Hand-written: these GIN indexes are on expressions over
-- other modules' tables. Each expression must stay identical to messageDocument / contactDocument in
-- search.ts, or the planner cannot use the index. 'simple': no stemming, no stop words, so Hindi and
-- Hinglish words match as typed.
CREATE INDEX "messages_search_idx" ON "messages" USING gin (to_tsvector('simple', coalesce("preview", '')));--> statement-breakpoint
CREATE INDEX "contacts_search_idx" ON "contacts" USING gin (to_tsvector('simple', coalesce("name", '') || ' ' || coalesce("profile_name", '') || ' ' || coalesce("wa_id", '') || ' ' || coalesce("email", '')));
