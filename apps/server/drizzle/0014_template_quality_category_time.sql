ALTER TABLE "templates" ADD COLUMN "quality_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "templates" ADD COLUMN "category_at" timestamp with time zone;