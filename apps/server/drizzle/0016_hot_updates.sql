-- Room for HOT updates (a new row version on the same page, no index entries): every inbound message
-- updates its contact (last_inbound_at), and every status webhook updates its message. The index on
-- contacts.updated_at served no query and made each of those contact updates insert an entry into all
-- nine contact indexes (two of them GIN). Fillfactor applies to pages written from now on.
DROP INDEX "contacts_workspace_updated_idx";--> statement-breakpoint
ALTER TABLE "contacts" SET (fillfactor = 90);--> statement-breakpoint
ALTER TABLE "messages" SET (fillfactor = 85);
