import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../log.js';

const BAD_REQUEST = '请求有误，无法处理。/ The request is not valid.\n';
const SERVER_ERROR = '抱歉，服务器出了点问题，请稍后再试。/ Sorry, something went wrong on the server. Please try again later.\n';

/**
 * The app's last error handler, for what no router answered itself: express's own refusals (a
 * path parameter that is not valid percent-encoding, /documents/%/complaint.html) and faults in
 * routers without a handler of their own. Express's default would put the stack trace on the
 * page (outside NODE_ENV=production) and print it to stderr, past the redacting logger.
 */
export function finalErrorHandler(log: Pick<Logger, 'error'>): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const status = (error as { status?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).type('text/plain; charset=utf-8').send(BAD_REQUEST);
      return;
    }
    // The path is not logged: a document link's path is its capability.
    log.error({ errName: (error as Error | null)?.name, method: req.method }, 'request failed');
    res.status(500).type('text/plain; charset=utf-8').send(SERVER_ERROR);
  };
}
