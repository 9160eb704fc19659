CREATE TABLE "api_token" (
	"uuid" uuid PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_token_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "chat_invite" (
	"uuid" uuid PRIMARY KEY NOT NULL,
	"chat_uuid" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"role" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "chat_invite_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "chat_member" (
	"chat_uuid" uuid NOT NULL,
	"user_id" text NOT NULL,
	"role" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
	"seen_at" timestamp with time zone,
	"typing_at" timestamp with time zone,
	"last_read_at" timestamp with time zone,
	CONSTRAINT "chat_member_chat_uuid_user_id_pk" PRIMARY KEY("chat_uuid","user_id")
);
--> statement-breakpoint
ALTER TABLE "chat_message" ADD COLUMN "author_id" text;--> statement-breakpoint
ALTER TABLE "chat" ADD COLUMN "last_message_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL;--> statement-breakpoint
ALTER TABLE "chat" ADD COLUMN "share_uuid" uuid;--> statement-breakpoint
ALTER TABLE "user" ADD COLUMN "role" text DEFAULT 'user' NOT NULL;--> statement-breakpoint
ALTER TABLE "user" ADD COLUMN "disabled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "user" ADD COLUMN "guest" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "user" ADD COLUMN "quota" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "api_token" ADD CONSTRAINT "api_token_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_invite" ADD CONSTRAINT "chat_invite_chat_uuid_chat_uuid_fk" FOREIGN KEY ("chat_uuid") REFERENCES "public"."chat"("uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_invite" ADD CONSTRAINT "chat_invite_created_by_user_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_member" ADD CONSTRAINT "chat_member_chat_uuid_chat_uuid_fk" FOREIGN KEY ("chat_uuid") REFERENCES "public"."chat"("uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_member" ADD CONSTRAINT "chat_member_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_token_user_idx" ON "api_token" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "chat_invite_chat_idx" ON "chat_invite" USING btree ("chat_uuid");--> statement-breakpoint
CREATE INDEX "chat_member_user_idx" ON "chat_member" USING btree ("user_id","role","chat_uuid");--> statement-breakpoint
ALTER TABLE "chat_message" ADD CONSTRAINT "chat_message_author_id_user_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat" ADD CONSTRAINT "chat_share_uuid_unique" UNIQUE("share_uuid");--> statement-breakpoint
-- Existing data: every chat's owner becomes its member, user messages are the owner's, the
-- chat's last message time starts at its last activity, and the first user is the admin.
INSERT INTO "chat_member" ("chat_uuid", "user_id", "role", "created_at", "last_read_at")
  SELECT "uuid", "user_id", 'owner', "created_at", "updated_at" FROM "chat" ON CONFLICT DO NOTHING;--> statement-breakpoint
UPDATE "chat_message" m SET "author_id" = c."user_id" FROM "chat" c WHERE c."uuid" = m."chat_uuid" AND m."role" = 'user';--> statement-breakpoint
UPDATE "chat" SET "last_message_at" = "updated_at";--> statement-breakpoint
UPDATE "user" SET "role" = 'admin' WHERE "id" = (SELECT "id" FROM "user" ORDER BY "created_at", "id" LIMIT 1)
  AND NOT EXISTS (SELECT 1 FROM "user" WHERE "role" = 'admin');
