-- An answer's parts (docs/design.md §3.11): reasoning, tool calls, sources. While it runs they
-- are an append-only log of events per attempt (llm_output_part), announced like its text's
-- chunks (`k:<request>`); when it ends they are folded into chat_message.parts. Tool approvals
-- are members' answers to a call that waits for one; tool_run is what the admin sees of tools.
CREATE TABLE "llm_output_part" (
	"request_uuid" uuid NOT NULL,
	"attempt" integer NOT NULL,
	"seq" integer NOT NULL,
	"event" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
	CONSTRAINT "llm_output_part_request_uuid_attempt_seq_pk" PRIMARY KEY("request_uuid","attempt","seq")
);
--> statement-breakpoint
CREATE TABLE "tool_approval" (
	"request_uuid" uuid NOT NULL,
	"call_id" text NOT NULL,
	"approve" boolean NOT NULL,
	"user_id" text,
	"created_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
	CONSTRAINT "tool_approval_request_uuid_call_id_pk" PRIMARY KEY("request_uuid","call_id")
);
--> statement-breakpoint
CREATE TABLE "tool_run" (
	"id" uuid PRIMARY KEY NOT NULL,
	"request_uuid" uuid,
	"user_id" text,
	"tool" text NOT NULL,
	"source" text NOT NULL,
	"status" text NOT NULL,
	"ms" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "chat_message" ADD COLUMN "parts" jsonb;--> statement-breakpoint
ALTER TABLE "chat_message" ADD COLUMN "parts_cursor" text;--> statement-breakpoint
ALTER TABLE "llm_request" ADD COLUMN "context" jsonb;--> statement-breakpoint
ALTER TABLE "llm_output_part" ADD CONSTRAINT "llm_output_part_request_uuid_llm_request_uuid_fk" FOREIGN KEY ("request_uuid") REFERENCES "public"."llm_request"("uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tool_approval" ADD CONSTRAINT "tool_approval_request_uuid_llm_request_uuid_fk" FOREIGN KEY ("request_uuid") REFERENCES "public"."llm_request"("uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tool_approval" ADD CONSTRAINT "tool_approval_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tool_run" ADD CONSTRAINT "tool_run_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tool_run_created_idx" ON "tool_run" USING btree ("created_at");--> statement-breakpoint
CREATE TRIGGER "llm_output_part_changes" AFTER INSERT OR UPDATE OR DELETE ON "llm_output_part" FOR EACH ROW EXECUTE FUNCTION "pollchat_notify_output"();
