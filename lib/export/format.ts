/**
 * The export file: one JSON document holding chats with their messages (GET /api/export for
 * all of a user's chats, GET /api/chats/{uuid}/export?format=json for one), and what POST
 * /api/import reads back. Versioned: a reader refuses a version it does not know rather than
 * guess. The zod schema below is the import's validation and, through z.toJSONSchema, the
 * OpenAPI document's description of the file: they cannot drift apart.
 */
import "server-only";
import { z } from "zod";
import { CHAT_STATUSES, MESSAGE_ROLES, MESSAGE_STATUSES, type ChatParams } from "@/db/schema";
import { uuidString } from "../http/params";
import { TOOL_STATUSES, type Part } from "../parts";

export const EXPORT_FORMAT = "pollchat.chats";
export const EXPORT_VERSION = 1;

/** What one import may hold, besides the byte limit (IMPORT_MAX_BYTES). */
export const IMPORT_LIMITS = { chats: 5_000, messagesPerChat: 10_000, contentChars: 2_000_000, titleChars: 200 } as const;

export interface ExportedMessage {
  uuid: string;
  role: (typeof MESSAGE_ROLES)[number];
  content: string;
  status: (typeof MESSAGE_STATUSES)[number];
  error?: string;
  createdAt: string;
  /** An answer's parts (reasoning, tool calls, sources: docs/design.md §3.11); the import keeps them. */
  parts?: Part[];
  /**
   * Branches (docs/design.md §3.12): the message this one follows (null: the chat's first), an
   * earlier message of the file. Messages with the same parent are versions of one another.
   * An export always writes both; a file without them is one branch.
   */
  parentUuid?: string | null;
  /** Among its versions, the one the conversation follows. */
  selected?: boolean;
  /** A user message's files (docs/design.md §3.13). */
  attachments?: ExportedAttachment[];
}

/**
 * A file in an export: its bytes in base64 (`data`) in one chat's export; in the all-chats
 * export only a reference by `sha256`, which an import restores when the importing account
 * still keeps a file with those bytes on this server (else the file is left out, and counted).
 */
export interface ExportedAttachment {
  name: string;
  mediaType: string;
  size: number;
  sha256: string;
  data?: string;
}

export interface ExportedChat {
  uuid: string;
  title: string;
  status: (typeof CHAT_STATUSES)[number];
  agent: string;
  params: ChatParams;
  createdAt: string;
  updatedAt: string;
  /**
   * Every version of every message, oldest first (a parent before its children): the
   * conversation is the path from the selected root down the selected children.
   */
  messages: ExportedMessage[];
}

export interface ExportFile {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  chats: ExportedChat[];
}

const when = z.iso.datetime({ offset: true, message: "must be an ISO 8601 date-time such as 2025-01-31T12:00:00.000Z" });

const isoTime = z.string().max(40);
/** An answer's parts as an export holds them (lib/parts.ts): checked field by field, shown inert. */
const importedPart = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text"), start: z.number().int().min(0), step: z.number().int().min(0).max(1_000) }),
  z.object({ type: z.literal("reasoning"), text: z.string().max(200_000), startedAt: isoTime, endedAt: isoTime.optional() }),
  z.object({
    type: z.literal("tool"),
    callId: z.string().max(200),
    name: z.string().max(200),
    source: z.string().max(200),
    step: z.number().int().min(0).max(1_000),
    input: z.unknown().optional(),
    status: z.enum(TOOL_STATUSES),
    output: z.unknown().optional(),
    error: z.string().max(2_000).optional(),
    needsApproval: z.boolean().optional(),
    decidedBy: z.object({ id: z.string().max(200), name: z.string().max(200) }).optional(),
    askedAt: isoTime.optional(),
    startedAt: isoTime.optional(),
    endedAt: isoTime.optional(),
  }),
  z.object({ type: z.literal("source"), url: z.string().max(4_000), title: z.string().max(1_000).optional(), from: z.string().max(200).optional() }),
]);

const importedMessage = z.object({
  uuid: uuidString.optional(),
  role: z.enum(MESSAGE_ROLES),
  content: z.string().max(IMPORT_LIMITS.contentChars),
  /** A message still `pending` when it was exported is imported `cancelled` (no generation comes with it). */
  status: z.enum(MESSAGE_STATUSES).default("completed"),
  error: z.string().max(2_000).nullish(),
  createdAt: when.optional(),
  parts: z.array(importedPart).max(500).optional(),
  /** The message it follows (an earlier one of the chat; null: the first). Absent: the message before it in the file. */
  parentUuid: uuidString.nullish(),
  /** Among its versions, the one the conversation follows (absent: true; the last one wins when several are). */
  selected: z.boolean().optional(),
  attachments: z
    .array(
      z.object({
        name: z.string().max(1_000),
        // Read again from the bytes on import: what the file says is not trusted.
        mediaType: z.string().max(200).optional(),
        size: z.number().int().min(0).optional(),
        sha256: z.string().regex(/^[0-9a-f]{64}$/, { message: "must be the file's SHA-256 in lowercase hex" }),
        data: z.base64({ message: "must be the file's bytes in base64" }).optional(),
      }),
    )
    .max(100)
    .optional(),
});

const importedChat = z.object({
  uuid: uuidString.optional(),
  title: z.string().max(IMPORT_LIMITS.titleChars).default(""),
  status: z.enum(CHAT_STATUSES).default("active"),
  agent: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, { message: "must be an agent id such as assistant" })
    .default("assistant"),
  params: z
    .object({
      model: z.string().max(200).optional(),
      systemPrompt: z.string().max(20_000).optional(),
      temperature: z.number().min(0).max(2).optional(),
    })
    .default({}),
  createdAt: when.optional(),
  updatedAt: when.optional(),
  messages: z.array(importedMessage).max(IMPORT_LIMITS.messagesPerChat),
});

export const importFile = z
  .object({
    format: z.literal(EXPORT_FORMAT, { message: `must be "${EXPORT_FORMAT}": export the file from PollChat (Data page or GET /api/export)` }),
    version: z.literal(EXPORT_VERSION, { message: `must be ${EXPORT_VERSION}: this server reads version ${EXPORT_VERSION} export files` }),
    exportedAt: when.optional(),
    chats: z.array(importedChat).max(IMPORT_LIMITS.chats),
  })
  .superRefine((file, ctx) => {
    // One uuid names one thing: a file that repeats one cannot be imported as it says.
    const seen = new Set<string>();
    file.chats.forEach((chat, i) => {
      const ids: [string | undefined, (string | number)[]][] = [
        [chat.uuid, ["chats", i, "uuid"]],
        ...chat.messages.map((m, j): [string | undefined, (string | number)[]] => [m.uuid, ["chats", i, "messages", j, "uuid"]]),
      ];
      for (const [uuid, path] of ids) {
        if (!uuid) continue;
        if (seen.has(uuid)) ctx.addIssue({ code: "custom", path, message: `the uuid ${uuid} appears more than once in the file` });
        seen.add(uuid);
      }
      // A parent comes before its children, in the same chat (the order is the conversation's).
      const earlier = new Set<string>();
      chat.messages.forEach((m, j) => {
        if (m.parentUuid && !earlier.has(m.parentUuid)) {
          ctx.addIssue({ code: "custom", path: ["chats", i, "messages", j, "parentUuid"], message: `must be the uuid of an earlier message of the same chat` });
        }
        if (m.uuid) earlier.add(m.uuid);
      });
    });
  });

export type ImportFile = z.infer<typeof importFile>;
export type ImportedChat = ImportFile["chats"][number];
