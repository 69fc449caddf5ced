/**
 * The kiosk's pictures and words, checked without a browser: every case type, every choice
 * of every spec in dialogs/ and every section (the review's "which part?") has its original
 * SVG, so a new case type must bring its pictures; the pictures are inert; every label exists
 * in both languages.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCALES } from '../../src/i18n.js';
import { loadSpecs } from '../../src/interview/spec.js';
import { KIOSK_LABELS, loadPictograms, neededPictograms, pictogramName, TOOL_PICTOGRAMS } from '../../src/web/kiosk/index.js';

const root = path.resolve(import.meta.dirname, '../..');
const pictograms = loadPictograms(path.join(root, 'src/web/kiosk/pictograms'));

describe('kiosk pictograms', () => {
  it('has one for every case type, choice and section of every spec in dialogs/, and for every kiosk button', () => {
    const specs = loadSpecs(path.join(root, 'dialogs'));
    const needed = neededPictograms(specs);
    for (const spec of specs.cases) expect(needed.map((n) => n.name)).toContain(`case-${spec.caseType}`);
    const missing = needed.filter((n) => !pictograms.has(n.name)).map((n) => `${n.name}.svg (${n.why})`);
    expect(missing, 'draw these in src/web/kiosk/pictograms/').toEqual([]);
  });

  it('names pictures by the rule the page uses', () => {
    expect(pictogramName({ field: 'caseType', type: 'choice' }, 'wage-arrears')).toBe('case-wage-arrears');
    expect(pictogramName({ field: 'review.section', type: 'choice' }, 'loan')).toBe('section-loan');
    expect(pictogramName({ field: 'loan.hasIou', type: 'confirm' }, 'yes')).toBe('yes');
    expect(pictogramName({ field: 'defendant.gender', type: 'gender' }, 'female')).toBe('gender-female');
    expect(pictogramName({ field: 'loan.method', type: 'choice' }, 'cash')).toBe('choice-cash');
    for (const name of TOOL_PICTOGRAMS) expect(pictograms.has(name), name).toBe(true);
  });

  it('are plain, inert SVG: no script, no event handlers, nothing fetched from elsewhere', () => {
    expect(pictograms.size).toBeGreaterThan(40);
    for (const [name, svg] of pictograms) {
      expect(svg, name).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 96 96"/);
      expect(svg, name).not.toMatch(/<script|\son\w+=|href=|url\(|<foreignObject/i);
    }
  });
});

describe('kiosk labels', () => {
  it('has every label in both languages', () => {
    for (const [key, text] of Object.entries(KIOSK_LABELS)) {
      for (const locale of LOCALES) expect(text[locale].trim(), `${key} ${locale}`).not.toBe('');
    }
  });
});
