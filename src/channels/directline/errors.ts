import type { Response } from 'express';

/**
 * The error codes the hosted Direct Line service and the Bot Framework schema use; clients
 * (Web Chat, botframework-directlinejs) look at the HTTP status, people reading logs at the code.
 */
export type DirectLineErrorCode =
  | 'BadArgument'
  | 'BadSyntax'
  | 'Forbidden'
  | 'TokenExpired'
  | 'MessageSizeTooBig'
  | 'MissingProperty'
  | 'TooManyRequests'
  | 'ServiceError';

/** An error that is meant for the client, with the status and body the hosted service uses. */
export class DirectLineError extends Error {
  constructor(
    readonly status: number,
    readonly code: DirectLineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DirectLineError';
  }
}

export function sendError(res: Response, error: DirectLineError): void {
  res.status(error.status).json({ error: { code: error.code, message: error.message } });
}

/** Raised by the adapter when a turn or proactive call arrives after `close()`. */
export class DirectLineClosedError extends Error {
  constructor() {
    super('Direct Line is shutting down and takes no more turns.');
    this.name = 'DirectLineClosedError';
  }
}

/** Raised when proactive logic names a conversation this process no longer (or never) held. */
export class UnknownConversationError extends Error {
  constructor(readonly conversationId: string) {
    super(`Direct Line conversation ${conversationId} is not known (never started or expired).`);
    this.name = 'UnknownConversationError';
  }
}

/**
 * What a log line may say about an error: its name, message and stack. Never the request,
 * the activity or the conversation's contents, which hold filers' personal data.
 */
export function describeError(error: unknown): { name: string; message: string; stack?: string } {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  }
  return { name: typeof error, message: String(error) };
}
