ALTER TABLE "contact_opt_events" ADD COLUMN "actor_label" text;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "email" text;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "deleted_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "contacts_workspace_name_prefix_idx" ON "contacts" USING btree ("workspace_id",lower(coalesce("name", "profile_name")) text_pattern_ops);--> statement-breakpoint
CREATE INDEX "contacts_workspace_phone_prefix_idx" ON "contacts" USING btree ("workspace_id","phone_e164" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "contacts_workspace_email_prefix_idx" ON "contacts" USING btree ("workspace_id",lower("email") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "contacts_tags_idx" ON "contacts" USING gin ("tags");