CREATE TABLE "billing_rates" (
	"id" text PRIMARY KEY NOT NULL,
	"card" text NOT NULL,
	"category" text NOT NULL,
	"market" text NOT NULL,
	"currency" text NOT NULL,
	"price_micros" bigint NOT NULL,
	"effective_from" timestamp with time zone NOT NULL,
	"effective_to" timestamp with time zone,
	"example" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "governance_flags" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"template_name" text NOT NULL,
	"reason" text NOT NULL,
	"metrics" jsonb NOT NULL,
	"paused" boolean NOT NULL,
	"state" text DEFAULT 'open' NOT NULL,
	"raised_at" timestamp with time zone DEFAULT now() NOT NULL,
	"reviewed_by" text,
	"reviewed_at" timestamp with time zone,
	"review_note" text
);
--> statement-breakpoint
CREATE TABLE "governance_settings" (
	"workspace_id" text PRIMARY KEY NOT NULL,
	"enabled" boolean,
	"opt_out_rate_bp" integer,
	"failure_rate_bp" integer,
	"min_sample" integer,
	"volume_jump_factor" integer,
	"volume_min_sends" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing_template_sends" (
	"message_id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"contact_id" text NOT NULL,
	"template_name" text NOT NULL,
	"template_language" text NOT NULL,
	"template_category" text NOT NULL,
	"market" text NOT NULL,
	"currency" text NOT NULL,
	"estimate_micros" bigint NOT NULL,
	"hold" text NOT NULL,
	"business_initiated" boolean NOT NULL,
	"outcome" text,
	"error_code" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing_usage_ledger" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"key" text NOT NULL,
	"message_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"pricing_model" text NOT NULL,
	"category" text NOT NULL,
	"pricing_type" text,
	"market" text NOT NULL,
	"currency" text NOT NULL,
	"price_micros" bigint NOT NULL,
	"rate_id" text,
	"meta_conversation_id" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing_wallet_entries" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"kind" text NOT NULL,
	"balance_delta_micros" bigint NOT NULL,
	"reserved_delta_micros" bigint NOT NULL,
	"balance_after_micros" bigint NOT NULL,
	"reserved_after_micros" bigint NOT NULL,
	"message_id" text,
	"reference" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing_wallets" (
	"workspace_id" text PRIMARY KEY NOT NULL,
	"mode" text DEFAULT 'postpaid' NOT NULL,
	"currency" text NOT NULL,
	"balance_micros" bigint DEFAULT 0 NOT NULL,
	"reserved_micros" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "billing_rates_lookup_idx" ON "billing_rates" USING btree ("category","currency","market","effective_from");--> statement-breakpoint
CREATE UNIQUE INDEX "governance_flags_open_key" ON "governance_flags" USING btree ("workspace_id","channel_id","template_name","reason") WHERE state = 'open';--> statement-breakpoint
CREATE INDEX "governance_flags_workspace_idx" ON "governance_flags" USING btree ("workspace_id","raised_at");--> statement-breakpoint
CREATE INDEX "billing_template_sends_template_idx" ON "billing_template_sends" USING btree ("workspace_id","channel_id","template_name","created_at");--> statement-breakpoint
CREATE INDEX "billing_template_sends_tier_idx" ON "billing_template_sends" USING btree ("channel_id","created_at") WHERE business_initiated;--> statement-breakpoint
CREATE INDEX "billing_template_sends_held_idx" ON "billing_template_sends" USING btree ("created_at") WHERE hold = 'held';--> statement-breakpoint
CREATE UNIQUE INDEX "billing_usage_ledger_key" ON "billing_usage_ledger" USING btree ("workspace_id","key");--> statement-breakpoint
CREATE INDEX "billing_usage_ledger_time_idx" ON "billing_usage_ledger" USING btree ("workspace_id","occurred_at");--> statement-breakpoint
CREATE INDEX "billing_wallet_entries_idx" ON "billing_wallet_entries" USING btree ("workspace_id","created_at");--> statement-breakpoint
-- The usage ledger and wallet entries are append-only, like the audit trail. Hand-written.
CREATE FUNCTION "billing_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END
$$;--> statement-breakpoint
CREATE TRIGGER "billing_usage_ledger_append_only" BEFORE UPDATE OR DELETE ON "billing_usage_ledger" FOR EACH ROW EXECUTE FUNCTION "billing_refuse_change"();--> statement-breakpoint
CREATE TRIGGER "billing_wallet_entries_append_only" BEFORE UPDATE OR DELETE ON "billing_wallet_entries" FOR EACH ROW EXECUTE FUNCTION "billing_refuse_change"();--> statement-breakpoint
-- The default rate card: EXAMPLE figures (close to Meta's per-message rates of July 2025, in USD, and
-- India in INR), so a fresh install prices usage out of the box. Not a price list: load your own with
-- POST /api/v1/operator/billing/rate-cards. Service messages are free (a rate-card row, so billing them
-- later is a data change).
INSERT INTO "billing_rates" ("id", "card", "category", "market", "currency", "price_micros", "effective_from", "example") VALUES
  ('rate_example_usd_91_marketing', 'default-example', 'marketing', '91', 'USD', 11800, '2025-07-01T00:00:00Z', true),
  ('rate_example_usd_91_utility', 'default-example', 'utility', '91', 'USD', 1400, '2025-07-01T00:00:00Z', true),
  ('rate_example_usd_91_authentication', 'default-example', 'authentication', '91', 'USD', 1400, '2025-07-01T00:00:00Z', true),
  ('rate_example_usd_91_authentication_international', 'default-example', 'authentication_international', '91', 'USD', 28000, '2025-07-01T00:00:00Z', true),
  ('rate_example_usd_1_marketing', 'default-example', 'marketing', '1', 'USD', 25000, '2025-07-01T00:00:00Z', true),
  ('rate_example_usd_1_utility', 'default-example', 'utility', '1', 'USD', 4000, '2025-07-01T00:00:00Z', true),
  ('rate_example_usd_1_authentication', 'default-example', 'authentication', '1', 'USD', 13500, '2025-07-01T00:00:00Z', true),
  ('rate_example_usd_55_marketing', 'default-example', 'marketing', '55', 'USD', 62500, '2025-07-01T00:00:00Z', true),
  ('rate_example_usd_55_utility', 'default-example', 'utility', '55', 'USD', 6800, '2025-07-01T00:00:00Z', true),
  ('rate_example_usd_55_authentication', 'default-example', 'authentication', '55', 'USD', 31500, '2025-07-01T00:00:00Z', true),
  ('rate_example_usd_44_marketing', 'default-example', 'marketing', '44', 'USD', 52900, '2025-07-01T00:00:00Z', true),
  ('rate_example_usd_44_utility', 'default-example', 'utility', '44', 'USD', 22000, '2025-07-01T00:00:00Z', true),
  ('rate_example_usd_44_authentication', 'default-example', 'authentication', '44', 'USD', 35800, '2025-07-01T00:00:00Z', true),
  ('rate_example_usd_62_marketing', 'default-example', 'marketing', '62', 'USD', 41100, '2025-07-01T00:00:00Z', true),
  ('rate_example_usd_62_utility', 'default-example', 'utility', '62', 'USD', 25000, '2025-07-01T00:00:00Z', true),
  ('rate_example_usd_62_authentication', 'default-example', 'authentication', '62', 'USD', 25000, '2025-07-01T00:00:00Z', true),
  ('rate_example_usd_62_authentication_international', 'default-example', 'authentication_international', '62', 'USD', 136000, '2025-07-01T00:00:00Z', true),
  ('rate_example_usd_52_marketing', 'default-example', 'marketing', '52', 'USD', 30500, '2025-07-01T00:00:00Z', true),
  ('rate_example_usd_52_utility', 'default-example', 'utility', '52', 'USD', 8500, '2025-07-01T00:00:00Z', true),
  ('rate_example_usd_52_authentication', 'default-example', 'authentication', '52', 'USD', 23900, '2025-07-01T00:00:00Z', true),
  ('rate_example_usd_any_marketing', 'default-example', 'marketing', '*', 'USD', 60400, '2025-07-01T00:00:00Z', true),
  ('rate_example_usd_any_utility', 'default-example', 'utility', '*', 'USD', 7700, '2025-07-01T00:00:00Z', true),
  ('rate_example_usd_any_authentication', 'default-example', 'authentication', '*', 'USD', 17100, '2025-07-01T00:00:00Z', true),
  ('rate_example_usd_any_authentication_international', 'default-example', 'authentication_international', '*', 'USD', 17100, '2025-07-01T00:00:00Z', true),
  ('rate_example_usd_any_service', 'default-example', 'service', '*', 'USD', 0, '2025-07-01T00:00:00Z', true),
  ('rate_example_inr_91_marketing', 'default-example', 'marketing', '91', 'INR', 863100, '2025-07-01T00:00:00Z', true),
  ('rate_example_inr_91_utility', 'default-example', 'utility', '91', 'INR', 115000, '2025-07-01T00:00:00Z', true),
  ('rate_example_inr_91_authentication', 'default-example', 'authentication', '91', 'INR', 115000, '2025-07-01T00:00:00Z', true),
  ('rate_example_inr_91_service', 'default-example', 'service', '91', 'INR', 0, '2025-07-01T00:00:00Z', true);
