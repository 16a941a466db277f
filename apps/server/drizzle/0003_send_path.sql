CREATE TABLE "templates" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"waba_id" text NOT NULL,
	"external_id" text,
	"name" text NOT NULL,
	"language" text NOT NULL,
	"category" text NOT NULL,
	"status" text NOT NULL,
	"status_reason" text,
	"quality_score" text,
	"parameter_format" text DEFAULT 'positional' NOT NULL,
	"components" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_synced_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "channel_onboardings" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"method" text NOT NULL,
	"waba_external_id" text NOT NULL,
	"phone_number_id" text,
	"business_id" text,
	"step" text DEFAULT 'exchange_code' NOT NULL,
	"state" text DEFAULT 'running' NOT NULL,
	"completed" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"last_error" jsonb,
	"token_secret_id" text,
	"pin_secret_id" text,
	"waba_id" text,
	"channel_id" text,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"workspace_id" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"status_code" integer,
	"response" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_workspace_id_key_pk" PRIMARY KEY("workspace_id","key")
);
--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "undeliverable_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "held_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "send_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "send_started_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "templates_waba_name_language_key" ON "templates" USING btree ("waba_id","name","language");--> statement-breakpoint
CREATE UNIQUE INDEX "templates_external_key" ON "templates" USING btree ("external_id");--> statement-breakpoint
CREATE INDEX "templates_workspace_status_idx" ON "templates" USING btree ("workspace_id","status");--> statement-breakpoint
CREATE INDEX "channel_onboardings_workspace_idx" ON "channel_onboardings" USING btree ("workspace_id","created_at");