-- Message search (conversations module, search.ts). The document is a stored generated column, so
-- search can check it row by row while walking the newest messages first (recomputing to_tsvector per
-- row made that walk slow); it replaces 0008's expression index. Hand-written: the column is not in
-- the Drizzle table, so full-row reads of messages do not carry it.
ALTER TABLE "messages" ADD COLUMN "search_vector" tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce("preview", ''))) STORED;--> statement-breakpoint
DROP INDEX IF EXISTS "messages_search_idx";--> statement-breakpoint
CREATE INDEX "messages_search_vector_idx" ON "messages" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "messages_workspace_recent_idx" ON "messages" USING btree ("workspace_id","occurred_at","id");
