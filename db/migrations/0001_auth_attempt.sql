CREATE TABLE "auth_attempt" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "auth_attempt_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"scope" text NOT NULL,
	"subject" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "auth_attempt_subject_idx" ON "auth_attempt" USING btree ("scope","subject","created_at");--> statement-breakpoint
CREATE INDEX "auth_attempt_created_idx" ON "auth_attempt" USING btree ("created_at");