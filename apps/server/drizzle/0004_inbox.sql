CREATE TABLE "inbox_settings" (
	"workspace_id" text PRIMARY KEY NOT NULL,
	"agents_see_unassigned" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
