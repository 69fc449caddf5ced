import type { ComplaintRepository } from '../store/types.js';
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { normalizeLocale } from '../i18n.js';
import type { NewAuditEvent } from '../store/types.js';
import { VisitCalendarError } from '../visits/calendar.js';
import { VisitError, type VisitService } from '../visits/service.js';

export interface VisitRouteDeps {
  visits: VisitService;
  /** The drafts the bookings point to, for the filer's name on each visit. */
  complaints: Pick<ComplaintRepository, 'get'>;
  adminOnly: RequestHandler;
  /** Writes the audit event (ids only, never the visit's address or phone). */
  audit(event: NewAuditEvent): Promise<unknown>;
  actor(res: Response): string;
}

const VISIT_MESSAGES = {
  'not-found': { 'zh-CN': '找不到这次上门。', 'en-US': 'This visit was not found.' },
  'not-active': { 'zh-CN': '这次上门已经取消或办完了。', 'en-US': 'This visit has been cancelled or is already over.' },
  'unknown-team': { 'zh-CN': '没有这个小组。', 'en-US': 'There is no such team.' },
  'team-full': { 'zh-CN': '这个小组在这个时间已经排满了。', 'en-US': 'This team is already full at this time.' },
  'bad-date': { 'zh-CN': '日期要写成2026-12-01这样。', 'en-US': 'Please give the date as 2026-12-01.' },
  'bad-request': { 'zh-CN': '请求的内容不对。', 'en-US': 'The request is not valid.' },
  'bad-calendar': { 'zh-CN': '上门日历有错：', 'en-US': 'The visit calendar has a problem: ' },
} as const;

function body(req: Request): Record<string, unknown> {
  const b: unknown = req.body;
  return b && typeof b === 'object' && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
}

function dateParam(req: Request): string | null {
  const value = typeof req.query['date'] === 'string' ? req.query['date'] : '';
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null;
}

/**
 * The console's home-visit routes, mounted by the clerk API behind its session and CSRF
 * checks: the day's visits by team, assign, done/failed, the day as iCalendar, and the
 * admin's calendar edit.
 */
export function mountVisitRoutes(router: Router, deps: VisitRouteDeps): void {
  const { visits } = deps;
  const fail = (res: Response, status: number, key: keyof typeof VISIT_MESSAGES, extra = '') => {
    const m = VISIT_MESSAGES[key];
    res.status(status).json({ error: key, message: { 'zh-CN': m['zh-CN'] + extra, 'en-US': m['en-US'] + extra } });
  };
  const guard = (handler: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response, next: NextFunction) => {
    try {
      await handler(req, res);
    } catch (error) {
      if (error instanceof VisitError) {
        fail(res, error.code === 'not-found' ? 404 : error.code === 'unknown-team' ? 400 : 409, error.code);
        return;
      }
      if (error instanceof VisitCalendarError) {
        fail(res, 400, 'bad-calendar', error.problem);
        return;
      }
      next(error);
    }
  };

  router.get('/visits', guard(async (req, res) => {
    const date = dateParam(req) ?? visits.today();
    const booked = await visits.forDay(date);
    // The visiting clerks greet the filer by name: it comes from the draft the booking carries.
    const day = await Promise.all(booked.map(async (visit) => {
      const draft = visit.complaintId ? await deps.complaints.get(visit.complaintId) : undefined;
      const name = draft?.answers['plaintiff.name'] ?? draft?.answers['plaintiff.orgName'];
      return typeof name === 'string' ? { ...visit, filerName: name } : visit;
    }));
    const teams = visits.calendar.teams;
    await deps.audit({ actor: deps.actor(res), action: 'visits-view', recordId: date });
    res.json({
      date,
      slots: visits.calendar.slots,
      teams,
      visits: day,
      byTeam: Object.fromEntries([...teams.map((t) => t.id), 'unassigned'].map((id) => [id, day.filter((v) => (v.teamId ?? 'unassigned') === id).map((v) => v.id)])),
    });
  }));

  router.get('/visits/calendar.ics', guard(async (req, res) => {
    const date = dateParam(req);
    if (!date) return fail(res, 400, 'bad-date');
    const locale = normalizeLocale(typeof req.query['lang'] === 'string' ? req.query['lang'] : undefined);
    await deps.audit({ actor: deps.actor(res), action: 'visits-export', recordId: date });
    res.type('text/calendar; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="visits-${date}.ics"`);
    res.send(await visits.dayCalendar(date, locale));
  }));

  router.post('/visits/:id/assign', guard(async (req, res) => {
    const teamId = body(req)['teamId'];
    if (typeof teamId !== 'string') return fail(res, 400, 'bad-request');
    const id = String(req.params['id']);
    const visit = await visits.assign(id, teamId);
    await deps.audit({ actor: deps.actor(res), action: 'visit-assign', recordId: id });
    res.json(visit);
  }));

  router.post('/visits/:id/outcome', guard(async (req, res) => {
    const { outcome, reason } = body(req);
    if (outcome !== 'done' && outcome !== 'failed' && outcome !== 'cancelled') return fail(res, 400, 'bad-request');
    // A failed or cancelled visit needs the clerk's reason, so the next clerk knows what happened.
    if (outcome !== 'done' && (typeof reason !== 'string' || !reason.trim() || reason.length > 500)) return fail(res, 400, 'bad-request');
    const id = String(req.params['id']);
    const note = typeof reason === 'string' ? reason.trim() : undefined;
    const visit = outcome === 'cancelled' ? await visits.cancelById(id, note) : await visits.finish(id, outcome, note);
    await deps.audit({ actor: deps.actor(res), action: `visit-${outcome}`, recordId: id });
    res.json(visit);
  }));

  router.get('/visits/settings', deps.adminOnly, (_req, res) => {
    res.json(visits.calendar);
  });

  router.put('/visits/settings', deps.adminOnly, guard(async (req, res) => {
    try {
      const calendar = await visits.updateCalendar(req.body);
      await deps.audit({ actor: deps.actor(res), action: 'visit-calendar-edit' });
      res.json(calendar);
    } catch (error) {
      await deps.audit({ actor: deps.actor(res), action: 'visit-calendar-edit', outcome: 'failed' });
      throw error;
    }
  }));
}
