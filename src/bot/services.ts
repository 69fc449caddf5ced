import type { Localized } from '../i18n.js';
import type { CaseSpec, LoadedSpecs } from '../interview/spec.js';
import type { ComplaintRepository, ComplaintRecord, FileStore } from '../store/types.js';

/** What the dialogs use from outside the bot; the composition root fills it in. */
export interface BotServices {
  complaints: ComplaintRepository;
  /** Uploaded evidence; the bot only checks that a reported file really exists. */
  files: Pick<FileStore, 'read'>;
  specs: LoadedSpecs;
  cases: Map<string, CaseSpec>;
  /** Today in the court's time zone, 'YYYY-MM-DD'. */
  today(): string;
  clerk: { phone: string; hours: Localized };
  /** Marks a draft finished and returns the capability URLs of its document. */
  finishComplaint(complaintId: string): Promise<{ record: ComplaintRecord; documentUrl: string }>;
}
