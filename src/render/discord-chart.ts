/**
 * A chart in a Discord message: the file goes with the message as an attachment, and the answer's
 * own embed (the first) shows it as its image through `attachment://<name>`, so the chart sits in
 * the verdict's card rather than below it. The alt text is the attachment's description.
 */
import type { APIInteractionResponseCallbackData, RESTAPIAttachment } from 'discord-api-types/v10';
import { truncate } from './shared.js';

/** A file sent with a message, as both transports send it: a chart, so always a PNG (image/png). */
export interface MessageFile {
  /** The file name; the embed refers to it as attachment://name (letters, digits, '-', '_' and '.'). */
  name: string;
  data: Buffer;
  /** Alt text (Discord: the attachment's description, at most 1,024 characters). */
  description: string;
}

/** Discord takes at most 1,024 characters of an attachment's description. */
export const ATTACHMENT_DESCRIPTION_MAX = 1024;

/** The message with its first embed showing `file`; unchanged when it has no embed. */
export function withChartImage(
  data: APIInteractionResponseCallbackData,
  file: Pick<MessageFile, 'name'>,
): APIInteractionResponseCallbackData {
  const [first, ...rest] = data.embeds ?? [];
  if (!first) return data;
  return { ...data, embeds: [{ ...first, image: { url: `attachment://${file.name}` } }, ...rest] };
}

/**
 * The `attachments` of a message body that sends `files` as files[0], files[1]...: each names its
 * part by index and carries its description. On an edit this list replaces the message's
 * attachments, so an empty one removes an old chart.
 */
export function attachmentsOf(files: readonly MessageFile[]): RESTAPIAttachment[] {
  return files.map((f, id) => ({
    id,
    filename: f.name,
    description: truncate(f.description, ATTACHMENT_DESCRIPTION_MAX),
  }));
}
