/**
 * Hand-written statements, typed from the schema (docs/design.md §8.1). A statement that must be
 * fast is written out in SQL (db/queries/raw.ts runs it), but its select list and the reading
 * of its rows come from the table definitions in db/schema.ts: `columnsOf(chatMessages, "m",
 * "m_")` writes `m.uuid as m_uuid, m.chat_uuid as m_chat_uuid, …`, and `decoderOf(chatMessages,
 * "m_")` turns such a row back into a `ChatMessage`, each value through its column's own
 * driver mapping (a timestamp as text from postgres.js or a Date from PGlite, jsonb as text or
 * object). A new column of `chat_message` is then a schema change and a migration, nothing more.
 */
import "server-only";
import { getTableColumns, type InferSelectModel, type Table } from "drizzle-orm";

/** A row as the driver hands it back. */
export type RawRow = Record<string, unknown>;

/** `alias.column as prefixcolumn, …` for every column of `table`, in the schema's order. */
export function columnsOf(table: Table, alias: string, prefix = ""): string {
  return Object.values(getTableColumns(table))
    .map((c) => `${alias}.${c.name} as ${prefix}${c.name}`)
    .join(", ");
}

/**
 * A reader of rows selected with `columnsOf(table, …, prefix)`: one object of the table's row
 * type, with SQL null as null. Built once per statement (the column list is walked once).
 */
export function decoderOf<T extends Table>(table: T, prefix = ""): (row: RawRow) => InferSelectModel<T> {
  const fields = Object.entries(getTableColumns(table)).map(([key, column]) => ({ key, name: prefix + column.name, column }));
  return (row) => {
    const out: Record<string, unknown> = {};
    for (const { key, name, column } of fields) {
      const value = row[name];
      out[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
    }
    return out as InferSelectModel<T>;
  };
}
