CREATE TABLE "chat_invitation" (
	"uuid" uuid PRIMARY KEY NOT NULL,
	"chat_uuid" uuid NOT NULL,
	"user_id" text NOT NULL,
	"role" text NOT NULL,
	"invited_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chat_removal" (
	"chat_uuid" uuid NOT NULL,
	"user_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
	CONSTRAINT "chat_removal_chat_uuid_user_id_pk" PRIMARY KEY("chat_uuid","user_id")
);
--> statement-breakpoint
ALTER TABLE "chat_invite" ADD COLUMN "uses" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "chat_invitation" ADD CONSTRAINT "chat_invitation_chat_uuid_chat_uuid_fk" FOREIGN KEY ("chat_uuid") REFERENCES "public"."chat"("uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_invitation" ADD CONSTRAINT "chat_invitation_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_invitation" ADD CONSTRAINT "chat_invitation_invited_by_user_id_fk" FOREIGN KEY ("invited_by") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_removal" ADD CONSTRAINT "chat_removal_chat_uuid_chat_uuid_fk" FOREIGN KEY ("chat_uuid") REFERENCES "public"."chat"("uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_removal" ADD CONSTRAINT "chat_removal_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "chat_invitation_chat_user_idx" ON "chat_invitation" USING btree ("chat_uuid","user_id");--> statement-breakpoint
CREATE INDEX "chat_invitation_user_idx" ON "chat_invitation" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "session_user_idx" ON "session" USING btree ("userId");