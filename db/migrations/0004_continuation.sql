ALTER TABLE "llm_request" ADD COLUMN "handovers" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "llm_request" ADD COLUMN "carried_chars" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "llm_request" ADD COLUMN "resumed_by" text;--> statement-breakpoint
ALTER TABLE "llm_request" ADD COLUMN "spent_input_tokens" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "llm_request" ADD COLUMN "spent_output_tokens" integer DEFAULT 0 NOT NULL;