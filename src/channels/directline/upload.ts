import type { Writable } from 'node:stream';
import type { Request, RequestHandler, Response } from 'express';
import multer, { MulterError } from 'multer';
import type { FileStore, StoredFile } from '../../store/index.js';
import { DirectLineError, describeError, sendError } from './errors.js';
import { serviceBase } from './origin.js';
import { sniffEvidenceType, EVIDENCE_TYPES } from './sniff.js';
import { isPlainObject, parseIncomingActivity, type IncomingActivity } from './validation.js';

export const DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
/** Files kept from one message; more are refused with reason 'count'. */
export const MAX_FILES_PER_MESSAGE = 5;
/** File parts beyond this are not a filer sending photos; the request is refused whole (413). */
const MAX_FILE_PARTS = 20;
/** Web Chat's activity part is a few kilobytes; inline cards could make it larger, never this large. */
const MAX_ACTIVITY_BYTES = 256 * 1024;
const MAX_NAME_LENGTH = 120;
/** Photo formats every browser draws. */
const BROWSER_IMAGES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

export type RejectReason = 'type' | 'size' | 'count';

/** What `channelData.uploads` lists: the files kept, by id in the FileStore. */
export interface UploadedFile {
  fileId: string;
  name: string;
  contentType: string;
  size: number;
}

/** What `channelData.rejectedUploads` lists, so the bot can say kindly why a file was not taken. */
export interface RejectedUpload {
  name: string;
  reason: RejectReason;
}

export interface UploadDependencies {
  files: FileStore;
  maxUploadBytes: number;
  maxTextLength: number;
}

/** A parsed upload: the filer's message (without the files yet) and how each file was judged. */
export interface JudgedUpload {
  activity: IncomingActivity;
  accepted: { bytes: Buffer; contentType: string; name: string }[];
  rejected: RejectedUpload[];
}

/**
 * The whole request may be this big before it is refused unread: five files at the limit
 * plus room for the multipart framing and the activity part. Anything bigger is not a filer
 * sending photos.
 */
export function requestLimit(maxUploadBytes: number): number {
  return 5 * maxUploadBytes + 1024 * 1024;
}

type MulterOptionsWithStream = multer.Options & {
  // multer 2.5 feeds busboy through this hook; @types/multer does not know it yet.
  streamHandler?: (req: Request, busboy: Writable) => void;
};

/**
 * Reads `multipart/form-data` the way Web Chat sends it (parts `file`, and `activity` as a
 * blob of type application/vnd.microsoft.activity) and judges each file. Answers 413 itself
 * when the request as a whole is absurdly big, and then resolves undefined.
 */
export async function readUpload(
  req: Request,
  res: Response,
  deps: UploadDependencies,
): Promise<JudgedUpload | undefined> {
  if (!req.is('multipart/form-data')) {
    throw new DirectLineError(400, 'BadArgument', 'An upload must be sent as multipart/form-data.');
  }
  const limit = requestLimit(deps.maxUploadBytes);
  const declared = Number(req.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    refuseTooLarge(res);
    return undefined;
  }

  let tooLarge = false;
  const options: MulterOptionsWithStream = {
    storage: multer.memoryStorage(),
    // Browsers send UTF-8 file names (Chinese ones too) without saying so.
    defParamCharset: 'utf8',
    limits: {
      fileSize: limit,
      files: MAX_FILE_PARTS,
      fields: 10,
      fieldSize: MAX_ACTIVITY_BYTES,
      fieldNameSize: 100,
      parts: MAX_FILE_PARTS + 10,
      headerPairs: 100,
    },
    // A body without Content-Length (chunked) is counted as it arrives and cut off at the limit.
    streamHandler: (request, busboy) => {
      let seen = 0;
      request.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > limit && !tooLarge) {
          tooLarge = true;
          refuseTooLarge(res);
          request.unpipe(busboy);
          busboy.destroy(new DirectLineError(413, 'MessageSizeTooBig', 'The upload is too large.'));
        }
      });
      request.pipe(busboy);
    },
  };
  const parse = multer(options).any();
  try {
    await new Promise<void>((resolve, reject) => {
      parse(req, res, (error?: unknown) => (error ? reject(error) : resolve()));
    });
  } catch (error) {
    if (tooLarge || res.headersSent) return undefined;
    throw uploadError(error);
  }
  if (tooLarge) return undefined;

  const parts = (req.files ?? []) as Express.Multer.File[];
  const fields = isPlainObject(req.body) ? (req.body as Record<string, unknown>) : {};
  const activity = parseActivityPart(parts.find((part) => part.fieldname === 'activity'), fields.activity, deps.maxTextLength);
  return { activity, ...judgeFiles(parts.filter((part) => part.fieldname !== 'activity'), deps.maxUploadBytes) };
}

/** The message activity of an upload, with what the service sets about files taken out. */
function parseActivityPart(part: Express.Multer.File | undefined, field: unknown, maxTextLength: number): IncomingActivity {
  let raw: string | undefined;
  if (part) raw = part.buffer.toString('utf8');
  else if (typeof field === 'string') raw = field;
  if (raw === undefined) return { type: 'message' };
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new DirectLineError(400, 'BadSyntax', 'The activity part is not valid JSON.');
  }
  const activity = parseIncomingActivity(body, maxTextLength);
  if (activity.type !== 'message') throw new DirectLineError(400, 'BadArgument', 'An upload carries a message activity.');
  // The files become attachments here; what the client listed (names, data: thumbnails) is dropped.
  delete activity.attachments;
  return activity;
}

/** Judges files in the order sent: the kind by the first bytes, then the size, then the count. */
export function judgeFiles(
  parts: readonly { originalname: string; buffer: Buffer; size: number }[],
  maxUploadBytes: number,
): Pick<JudgedUpload, 'accepted' | 'rejected'> {
  const accepted: JudgedUpload['accepted'] = [];
  const rejected: RejectedUpload[] = [];
  for (const part of parts) {
    const name = displayName(part.originalname);
    const contentType = sniffEvidenceType(part.buffer);
    if (!contentType) rejected.push({ name, reason: 'type' });
    else if (part.size > maxUploadBytes) rejected.push({ name, reason: 'size' });
    else if (accepted.length >= MAX_FILES_PER_MESSAGE) rejected.push({ name, reason: 'count' });
    else accepted.push({ bytes: part.buffer, contentType, name });
  }
  return { accepted, rejected };
}

/**
 * Saves the accepted files and returns the activity to hand to the bot: attachments whose
 * contentUrl serves the bytes, plus channelData.uploads and channelData.rejectedUploads. If a
 * save fails, the files saved so far are removed again.
 */
export async function storeUpload(
  req: Request,
  upload: JudgedUpload,
  files: FileStore,
): Promise<{ activity: IncomingActivity; saved: StoredFile[] }> {
  const saved: StoredFile[] = [];
  try {
    for (const file of upload.accepted) saved.push(await files.save(file));
  } catch (error) {
    await discard(files, saved);
    throw error;
  }
  const base = serviceBase(req);
  const channelData = isPlainObject(upload.activity.channelData) ? upload.activity.channelData : {};
  const activity: IncomingActivity = {
    ...upload.activity,
    attachments: saved.map((file) => {
      const contentUrl = `${base}/attachments/${file.id}`;
      // Web Chat shows the filer's own attachment as a picture only when it has a thumbnail;
      // browsers other than Safari cannot draw HEIC, so those stay a file link.
      const drawable = BROWSER_IMAGES.has(file.contentType);
      return { contentType: file.contentType, contentUrl, name: file.name, ...(drawable ? { thumbnailUrl: contentUrl } : {}) };
    }),
    channelData: {
      ...channelData,
      uploads: saved.map((file): UploadedFile => ({ fileId: file.id, name: file.name, contentType: file.contentType, size: file.size })),
      rejectedUploads: upload.rejected,
    },
  };
  return { activity, saved };
}

/** Best effort: the filer's turn failed, so its files would be orphans. */
export async function discard(files: FileStore, saved: readonly StoredFile[]): Promise<void> {
  await Promise.allSettled(saved.map((file) => files.remove(file.id)));
}

/**
 * `GET /attachments/:fileId`: the bytes of an uploaded photo or PDF. The random id is the
 * capability (Web Chat shows images with a plain <img>, which sends no token). Only evidence
 * types are served, so nothing else the store may hold can be fetched through here.
 */
export function attachmentRoute(deps: Pick<UploadDependencies, 'files'>): RequestHandler {
  return async (req, res) => {
    const raw: unknown = req.params.fileId;
    const found = typeof raw === 'string' ? await deps.files.read(raw) : undefined;
    if (!found || !EVIDENCE_TYPES.has(found.meta.contentType)) {
      sendError(res, new DirectLineError(404, 'BadArgument', 'Not found.'));
      return;
    }
    const { meta, bytes } = found;
    res.setHeader('Content-Type', meta.contentType);
    res.setHeader('Content-Length', String(bytes.length));
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Content-Disposition', inlineDisposition(meta.name));
    res.end(req.method === 'HEAD' ? undefined : bytes);
  };
}

/** `inline` with the name both as plain ASCII and as RFC 8187 UTF-8, for Chinese names. */
export function inlineDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `inline; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** A name fit to show back to the filer: no control or direction-changing characters, no paths. */
export function displayName(name: string | undefined): string {
  const base = (name ?? '').split(/[/\\]/).pop() ?? '';
  const cleaned = base
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069<>{}"]/g, '')
    .trim();
  return [...(cleaned || 'file')].slice(0, MAX_NAME_LENGTH).join('');
}

function refuseTooLarge(res: Response): void {
  if (res.headersSent) return;
  // The rest of the body is not worth reading; closing is the only way not to.
  res.setHeader('Connection', 'close');
  sendError(res, new DirectLineError(413, 'MessageSizeTooBig', 'The upload is too large.'));
}

function uploadError(error: unknown): DirectLineError {
  if (error instanceof DirectLineError) return error;
  if (error instanceof MulterError) {
    if (error.code.startsWith('LIMIT_')) {
      return new DirectLineError(413, 'MessageSizeTooBig', 'The upload has too many parts or a part that is too large.');
    }
    return new DirectLineError(400, 'BadArgument', 'The upload could not be read.');
  }
  // Everything else the parser raises is about the body (no boundary, cut-off parts).
  return new DirectLineError(400, 'BadSyntax', `The upload could not be read: ${describeError(error).message}`);
}
