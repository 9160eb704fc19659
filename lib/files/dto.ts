/** The contract's shape of a file (docs/design.md §3.13): its url depends on who reads it. */
import type { AttachmentDto } from "../contract";

/** Who reads a message's files: a member (the chat's own url), or anyone holding a share link. */
export type FileReader = { kind: "member" } | { kind: "share"; shareUuid: string };

/** What a message carries of each of its files (db/queries/attachments.ts reads them). */
export interface AttachmentMeta {
  uuid: string;
  name: string;
  mediaType: string;
  size: number | string;
}

export function toAttachmentDto(row: AttachmentMeta, reader: FileReader = { kind: "member" }): AttachmentDto {
  return {
    uuid: row.uuid,
    name: row.name,
    mediaType: row.mediaType,
    size: Number(row.size),
    url: reader.kind === "member" ? `/chat/attachment/${row.uuid}` : `/share/${reader.shareUuid}/attachment/${row.uuid}`,
  };
}
