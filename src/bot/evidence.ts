import type { TurnContext } from 'botbuilder';
import type { EvidenceFile } from '../store/types.js';

/** What the Direct Line upload route put on the activity (channelData.uploads / rejectedUploads). */
export interface UploadNotice {
  saved: EvidenceFile[];
  rejected: { name: string; reason: 'type' | 'size' | 'count' }[];
}

const UPLOAD_ONLY = Symbol('uploadOnly');

function text(value: unknown, max: number): string {
  return typeof value === 'string' ? value.slice(0, max) : '';
}

/**
 * Reads the uploads a channel reported. Anything malformed is ignored: a client cannot
 * make the bot record a file the server did not store, because the ids are checked
 * against the file store before they are kept.
 */
export function uploadsOf(context: TurnContext): UploadNotice {
  const data = context.activity.channelData as { uploads?: unknown; rejectedUploads?: unknown } | undefined;
  const now = new Date().toISOString();
  const saved = (Array.isArray(data?.uploads) ? data.uploads : []).flatMap((u: Record<string, unknown>) =>
    u && typeof u.fileId === 'string' ? [{ fileId: u.fileId, name: text(u.name, 120), contentType: text(u.contentType, 100), size: Number(u.size) || 0, addedAt: now }] : [],
  );
  const rejected = (Array.isArray(data?.rejectedUploads) ? data.rejectedUploads : []).flatMap((r: Record<string, unknown>): UploadNotice['rejected'] =>
    r && (r.reason === 'type' || r.reason === 'size' || r.reason === 'count') ? [{ name: text(r.name, 120) || 'file', reason: r.reason }] : [],
  );
  return { saved: saved.slice(0, 20), rejected: rejected.slice(0, 20) };
}

/** Marks a turn that carried only files: the current question is asked again, nothing is answered. */
export function markUploadOnly(context: TurnContext): void {
  context.turnState.set(UPLOAD_ONLY, true);
}

export function isUploadOnly(context: TurnContext): boolean {
  return context.turnState.get(UPLOAD_ONLY) === true;
}
