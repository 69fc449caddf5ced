import type { ConversationReference } from 'botbuilder';
import type { Locale } from '../i18n.js';

/**
 * The clerk queue and the relay between filer and clerk. The bot puts filers in the queue;
 * the clerk console (src/clerk) reads it and acts through this interface only.
 */
export type HandoffState = 'queued' | 'accepted' | 'completed' | 'cancelled';

/** Who goes first: urgent (danger words), then elderly (70+ from the ID number), disabled, military, then everyone else. */
export type Priority = 'urgent' | 'elderly' | 'disabled' | 'military' | 'normal';
export const PRIORITY_ORDER: Priority[] = ['urgent', 'elderly', 'disabled', 'military', 'normal'];

export type HandoffReason = 'asked' | 'repeated-failure' | 'danger' | 'unsupported-case';

export interface TranscriptEntry {
  from: 'filer' | 'bot' | 'clerk';
  text: string;
  at: string;
  /** The clerk's display name, on clerk entries. */
  clerkName?: string;
}

export interface HandoffRecord {
  id: string;
  conversationId: string;
  channelId: string;
  /** Where to send the clerk's messages (proactive turn through the channel's adapter). */
  reference: Partial<ConversationReference>;
  complaintId?: string;
  locale: Locale;
  priority: Priority;
  reason: HandoffReason;
  /** The question the filer was at, e.g. 'plaintiff.idNumber'. */
  field?: string;
  state: HandoffState;
  clerk?: { username: string; displayName: string };
  createdAt: string;
  acceptedAt?: string;
  closedAt?: string;
  /** The conversation so far (bot and filer), then the filer–clerk exchange. */
  transcript: TranscriptEntry[];
}

export interface QueueEntry {
  id: string;
  state: HandoffState;
  priority: Priority;
  reason: HandoffReason;
  locale: Locale;
  complaintId?: string;
  caseType?: string | null;
  /** The plaintiff's name when the draft has one; the console needs it to greet the filer. */
  filerName?: string;
  field?: string;
  createdAt: string;
  /** 1-based place among the waiting; absent once accepted. */
  position?: number;
  clerk?: { username: string; displayName: string };
}

export type HandoffEvent =
  | { type: 'queue'; entries: QueueEntry[] }
  | { type: 'message'; handoffId: string; entry: TranscriptEntry };

/** channelData.complaint of CONTRACT §3. */
export interface FinishedComplaint {
  id: string;
  caseType: string | null;
  documentUrl: string;
  pdfUrl?: string;
  reliefUrl?: string;
  resumeCode?: string;
}

export interface ClerkIdentity {
  username: string;
  displayName: string;
}

export interface HandoffService {
  /** Waiting and accepted handoffs, in the order clerks should take them. */
  queue(): Promise<QueueEntry[]>;
  get(id: string): Promise<HandoffRecord | undefined>;
  /** Takes a waiting filer; the filer is told a clerk is here. Throws if someone else took it. */
  accept(id: string, clerk: ClerkIdentity): Promise<HandoffRecord>;
  /** Sends the clerk's words to the filer through their channel. */
  sendToFiler(id: string, clerk: ClerkIdentity, text: string): Promise<void>;
  /** Hands the filer back to the assistant, at the given field of the interview or where they were. */
  giveBack(id: string, clerk: ClerkIdentity, field?: string): Promise<HandoffRecord>;
  /**
   * Ends the handoff after the clerk finished the complaint themselves (documents are made
   * by the caller); `finished` goes to the filer as channelData.complaint (CONTRACT §3).
   */
  complete(id: string, clerk: ClerkIdentity, message?: string, finished?: FinishedComplaint): Promise<HandoffRecord>;
  /** Live changes for consoles; returns the unsubscribe function. */
  subscribe(listener: (event: HandoffEvent) => void): () => void;
  /** Number of clerks with a live console (for "no clerk signed in" answers). */
  setClerksOnline(count: number): void;
}
