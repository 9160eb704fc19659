-- Files and branches (docs/design.md §3.12, §3.13). Files: content-addressed blobs (in
-- PostgreSQL, or in an S3-compatible bucket with only the row here) and the attachments that name
-- them. Branches: each message follows a parent; versions share one; `selected` picks the one the
-- conversation follows and `hidden` marks what is off the active branch (the polls skip it).
CREATE TABLE "attachment" (
	"uuid" uuid PRIMARY KEY NOT NULL,
	"chat_uuid" uuid NOT NULL,
	"message_uuid" uuid,
	"user_id" text,
	"name" text NOT NULL,
	"media_type" text NOT NULL,
	"size" bigint NOT NULL,
	"sha256" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "file_blob" (
	"sha256" text PRIMARY KEY NOT NULL,
	"size" bigint NOT NULL,
	"storage" text NOT NULL,
	"data" "bytea",
	"created_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "chat_message" ADD COLUMN "parent_uuid" uuid;--> statement-breakpoint
ALTER TABLE "chat_message" ADD COLUMN "selected" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "chat_message" ADD COLUMN "hidden" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "chat_message" ADD COLUMN "notes" jsonb;--> statement-breakpoint
ALTER TABLE "attachment" ADD CONSTRAINT "attachment_chat_uuid_chat_uuid_fk" FOREIGN KEY ("chat_uuid") REFERENCES "public"."chat"("uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attachment" ADD CONSTRAINT "attachment_message_uuid_chat_message_uuid_fk" FOREIGN KEY ("message_uuid") REFERENCES "public"."chat_message"("uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attachment" ADD CONSTRAINT "attachment_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attachment" ADD CONSTRAINT "attachment_sha256_file_blob_sha256_fk" FOREIGN KEY ("sha256") REFERENCES "public"."file_blob"("sha256") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "attachment_chat_idx" ON "attachment" USING btree ("chat_uuid");--> statement-breakpoint
CREATE INDEX "attachment_message_idx" ON "attachment" USING btree ("message_uuid");--> statement-breakpoint
CREATE INDEX "attachment_user_idx" ON "attachment" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "attachment_sha256_idx" ON "attachment" USING btree ("sha256");--> statement-breakpoint
CREATE INDEX "chat_message_parent_idx" ON "chat_message" USING btree ("chat_uuid","parent_uuid");--> statement-breakpoint
-- Every existing chat is one branch: each message follows the one before it.
UPDATE "chat_message" m SET "parent_uuid" = p.prev
FROM (SELECT uuid, lag(uuid) OVER (PARTITION BY chat_uuid ORDER BY created_at, uuid) AS prev FROM "chat_message") p
WHERE p.uuid = m.uuid AND p.prev IS NOT NULL;
