import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { LoadedSpecs } from '../../interview/spec.js';

/*
 * Pictograms: one original SVG per case type, per choice value, per section (the review's
 * "which part to change?"), and for the kiosk's own buttons. A filer who cannot read picks
 * by picture, so a new case type must bring its pictures; the unit test holds every spec to it.
 */

/** The page's own buttons and screens. */
export const TOOL_PICTOGRAMS = [
  'start', 'repeat', 'back', 'slower', 'clerk', 'here', 'skip', 'ok', 'delete', 'microphone', 'keypad', 'print', 'done',
  'language', 'waiting', 'code', 'calendar', 'yes', 'no', 'gender-male', 'gender-female', 'choice-generic',
] as const;

/** Choices the bot adds to the case question beside the case types (ChooseCaseDialog). */
const CASE_QUESTION_EXTRAS = ['resume', 'other'];

/**
 * The pictogram for one choice of a question, by the same rule as the page (kiosk.js
 * `pictogramFor`): the case question uses case-*, the review's section question section-*,
 * yes/no their own, every other choice choice-<value>.
 */
export function pictogramName(ask: { field: string; type: string }, value: string): string {
  if (ask.field === 'caseType') return `case-${value}`;
  if (ask.field === 'review.section') return `section-${value}`;
  if (ask.type === 'confirm') return value;
  if (ask.type === 'gender') return `gender-${value}`;
  return `choice-${value}`;
}

export interface NeededPictogram {
  name: string;
  /** Where the need comes from, for a test failure that says what to draw. */
  why: string;
}

/** Every pictogram the loaded specs and the page need. */
export function neededPictograms(specs: LoadedSpecs): NeededPictogram[] {
  const needed = new Map<string, string>();
  const need = (name: string, why: string) => {
    if (!needed.has(name)) needed.set(name, why);
  };
  for (const name of TOOL_PICTOGRAMS) need(name, 'a kiosk button');
  for (const value of CASE_QUESTION_EXTRAS) need(pictogramName({ field: 'caseType', type: 'choice' }, value), 'the case question');
  for (const spec of specs.cases) {
    need(pictogramName({ field: 'caseType', type: 'choice' }, spec.caseType), `${spec.file}: the case type`);
    for (const section of spec.sections) need(pictogramName({ field: 'review.section', type: 'choice' }, section.id), `${spec.file}: section ${section.id}`);
    for (const field of spec.fields.values()) {
      if (field.type !== 'choice') continue;
      for (const choice of field.options.choices ?? []) need(pictogramName({ field: field.id, type: field.type }, choice.value), `${spec.file}: ${field.id} = ${choice.value}`);
    }
  }
  return [...needed].map(([name, why]) => ({ name, why }));
}

const NAME = /^[a-z0-9][a-z0-9-]*$/;

/** The SVG files in a folder, by name without ".svg". */
export function loadPictograms(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.svg')) continue;
    const name = file.slice(0, -'.svg'.length);
    if (NAME.test(name)) found.set(name, readFileSync(path.join(dir, file), 'utf8'));
  }
  return found;
}
