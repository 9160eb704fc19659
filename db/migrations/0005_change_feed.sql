-- The change feed (docs/design.md §8.3): every change a poll could see is announced on the
-- channel `pollchat_changes`, so that each app server answers a poll that finds nothing new
-- from memory and forgets exactly what changed. Payloads are keys: `c:<chat uuid>` (the chat,
-- its messages, generations and members), `k:<request uuid>` (output chunks of a generation),
-- `u:<user id>` (an account, its sessions and API tokens). A notification is sent at commit,
-- in commit order, and identical ones in one transaction are sent once.
CREATE FUNCTION "pollchat_notify_chat"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('pollchat_changes', 'c:' || OLD.uuid);
  ELSE
    PERFORM pg_notify('pollchat_changes', 'c:' || NEW.uuid);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION "pollchat_notify_chat_row"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('pollchat_changes', 'c:' || OLD.chat_uuid);
  ELSE
    PERFORM pg_notify('pollchat_changes', 'c:' || NEW.chat_uuid);
    IF TG_OP = 'UPDATE' AND OLD.chat_uuid IS DISTINCT FROM NEW.chat_uuid THEN
      PERFORM pg_notify('pollchat_changes', 'c:' || OLD.chat_uuid);
    END IF;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- A member row: like any chat row, except a presence heartbeat the app marks as quiet: the
-- member's previous mark is recent by the database's own clock (`pollchat.quiet_presence`
-- holds how recent, in seconds, well inside the presence window), so they were shown present
-- and still are; not typing before or after. Nobody's view changes; the readers' kept answers
-- expire by their own time bound (docs/design.md §8.3).
CREATE FUNCTION "pollchat_notify_member"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  quiet float8 := coalesce(nullif(current_setting('pollchat.quiet_presence', true), ''), '0')::float8;
BEGIN
  IF TG_OP = 'UPDATE' AND quiet > 0
     AND OLD.seen_at > now() - make_interval(secs => quiet)
     AND OLD.chat_uuid = NEW.chat_uuid AND OLD.user_id = NEW.user_id AND OLD.role = NEW.role
     AND OLD.last_read_at IS NOT DISTINCT FROM NEW.last_read_at
     AND OLD.typing_at IS NULL AND NEW.typing_at IS NULL THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('pollchat_changes', 'c:' || OLD.chat_uuid);
  ELSE
    PERFORM pg_notify('pollchat_changes', 'c:' || NEW.chat_uuid);
    IF TG_OP = 'UPDATE' AND OLD.chat_uuid IS DISTINCT FROM NEW.chat_uuid THEN
      PERFORM pg_notify('pollchat_changes', 'c:' || OLD.chat_uuid);
    END IF;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION "pollchat_notify_output"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('pollchat_changes', 'k:' || OLD.request_uuid);
  ELSE
    PERFORM pg_notify('pollchat_changes', 'k:' || NEW.request_uuid);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION "pollchat_notify_user"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('pollchat_changes', 'u:' || OLD.id);
  ELSE
    PERFORM pg_notify('pollchat_changes', 'u:' || NEW.id);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION "pollchat_notify_user_row"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('pollchat_changes', 'u:' || OLD."userId");
  ELSE
    PERFORM pg_notify('pollchat_changes', 'u:' || NEW."userId");
    IF TG_OP = 'UPDATE' AND OLD."userId" IS DISTINCT FROM NEW."userId" THEN
      PERFORM pg_notify('pollchat_changes', 'u:' || OLD."userId");
    END IF;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION "pollchat_notify_user_id_row"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('pollchat_changes', 'u:' || OLD.user_id);
  ELSE
    PERFORM pg_notify('pollchat_changes', 'u:' || NEW.user_id);
    IF TG_OP = 'UPDATE' AND OLD.user_id IS DISTINCT FROM NEW.user_id THEN
      PERFORM pg_notify('pollchat_changes', 'u:' || OLD.user_id);
    END IF;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "chat_changes" AFTER INSERT OR UPDATE OR DELETE ON "chat" FOR EACH ROW EXECUTE FUNCTION "pollchat_notify_chat"();
--> statement-breakpoint
CREATE TRIGGER "chat_message_changes" AFTER INSERT OR UPDATE OR DELETE ON "chat_message" FOR EACH ROW EXECUTE FUNCTION "pollchat_notify_chat_row"();
--> statement-breakpoint
CREATE TRIGGER "llm_request_changes" AFTER INSERT OR UPDATE OR DELETE ON "llm_request" FOR EACH ROW EXECUTE FUNCTION "pollchat_notify_chat_row"();
--> statement-breakpoint
CREATE TRIGGER "chat_member_changes" AFTER INSERT OR UPDATE OR DELETE ON "chat_member" FOR EACH ROW EXECUTE FUNCTION "pollchat_notify_member"();
--> statement-breakpoint
CREATE TRIGGER "llm_output_chunk_changes" AFTER INSERT OR UPDATE OR DELETE ON "llm_output_chunk" FOR EACH ROW EXECUTE FUNCTION "pollchat_notify_output"();
--> statement-breakpoint
CREATE TRIGGER "user_changes" AFTER UPDATE OR DELETE ON "user" FOR EACH ROW EXECUTE FUNCTION "pollchat_notify_user"();
--> statement-breakpoint
CREATE TRIGGER "session_changes" AFTER UPDATE OR DELETE ON "session" FOR EACH ROW EXECUTE FUNCTION "pollchat_notify_user_row"();
--> statement-breakpoint
CREATE TRIGGER "api_token_changes" AFTER UPDATE OF "revoked_at", "token_hash", "user_id" OR DELETE ON "api_token" FOR EACH ROW EXECUTE FUNCTION "pollchat_notify_user_id_row"();
