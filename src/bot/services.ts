import type { FeeSettings } from '../fees/index.js';
import type { Localized } from '../i18n.js';
import type { CodeGuard } from './code-guard.js';
import type { HandoffDesk } from './handoff-desk.js';
import type { CaseSpec, LoadedSpecs } from '../interview/spec.js';
import type { ComplaintRepository, ComplaintRecord, FileStore } from '../store/types.js';
import type { VisitService } from '../visits/service.js';

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
  /** The clerk queue, as the bot uses it. */
  handoff: HandoffDesk;
  /** The province's court-fee figures (DIVORCE_FEE, NON_PROPERTY_FEE); the defaults of src/fees when absent. */
  fees?: FeeSettings;
  /** Wrong resume and visit codes counted across conversations; without it only each conversation's own count holds. */
  codeGuard?: CodeGuard;
  /** Home visits (上门立案); without it the visit words are not taken up. */
  visits?: VisitService;
  /**
   * Marks a draft finished and returns the capability URLs of its documents: the PDF when
   * a CJK font is installed, the fee relief application when the filer asked for relief.
   */
  finishComplaint(complaintId: string): Promise<{ record: ComplaintRecord; documentUrl: string; pdfUrl?: string; reliefUrl?: string }>;
}
