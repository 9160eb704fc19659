-- An upload made before its chat exists (the new-chat screen, docs/design.md §3.13): no chat
-- until the first send binds it; only its uploader reads it meanwhile.
ALTER TABLE "attachment" ALTER COLUMN "chat_uuid" DROP NOT NULL;