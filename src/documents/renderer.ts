import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import Handlebars from 'handlebars';
import type { Locale } from '../i18n.js';
import { finishText, registerDocumentHelpers, textBlocks, type RenderData, type RenderMode, type TextBlock } from './helpers.js';
import type { DocumentModel, FormatAnswer } from './model.js';

export type { RenderMode, TextBlock } from './helpers.js';

/** A block of a document laid out by the PDF, in the language of the copy it belongs to. */
export interface DocumentBlock extends TextBlock {
  lang: Locale;
}

export interface DocumentLayout {
  /** The first heading of the filed (Chinese) text: 民事起诉状, 司法救助申请书. */
  title: string;
  blocks: DocumentBlock[];
}

export interface DocumentRendererOptions {
  /** Holds `layout.hbs`, one `<caseType>.hbs` per case type, and shared partials under `partials/`. */
  templatesDir: string;
  format: FormatAnswer;
  /** Case types that must have a template; a missing one stops start-up. */
  caseTypes?: readonly string[];
  /**
   * Documents that are not a case type's complaint (fee-relief: the application for fee
   * relief); each must have a template, and none is listed among the case types.
   */
  documents?: readonly string[];
}

export interface DocumentRenderer {
  /** Case types with a template. */
  readonly caseTypes: readonly string[];
  /** Renders the case type's complaint, or `document` (a template name such as 'fee-relief') for the same answers. */
  render(model: DocumentModel, mode: RenderMode, document?: string): string;
  /** The same text output as `render(…, 'text')`, split into tagged blocks for the PDF's layout. */
  layout(model: DocumentModel, document?: string): DocumentLayout;
}

/**
 * The reading copy starts after a line of box-drawing characters in the text output (see
 * layout.hbs); the PDF starts it on a new page instead of printing the rule.
 */
const COPY_RULE = /^[═─━=]{8,}$/;

type Env = typeof Handlebars;
type Template = Handlebars.TemplateDelegate;

interface Source {
  file: string;
  ast: hbs.AST.Program;
}

const LAYOUT = 'layout';
const PARTIALS_DIR = 'partials';

function listTemplates(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string): void => {
    for (const name of readdirSync(current).sort()) {
      const path = join(current, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.hbs')) found.push(path);
    }
  };
  if (existsSync(dir)) walk(dir);
  return found;
}

function parse(file: string): Source {
  try {
    return { file, ast: Handlebars.parse(readFileSync(file, 'utf8')) };
  } catch (error) {
    throw new Error(`Document template ${file} cannot be read: ${(error as Error).message}`);
  }
}

/** Walks every node of a template, calling `visit` with each node that has a type. */
function walk(node: unknown, visit: (node: hbs.AST.Node) => void): void {
  if (Array.isArray(node)) {
    for (const child of node) walk(child, visit);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  if (typeof record['type'] === 'string') visit(node as hbs.AST.Node);
  for (const [key, child] of Object.entries(record)) {
    if (key !== 'loc' && key !== 'strip' && typeof child === 'object') walk(child, visit);
  }
}

function simpleName(path: hbs.AST.Expression): string | undefined {
  if (path.type !== 'PathExpression') return undefined;
  const p = path as hbs.AST.PathExpression;
  return !p.data && p.depth === 0 && p.parts.length === 1 && !/^(this|\.)$/.test(p.original) ? p.parts[0] : undefined;
}

/**
 * Handlebars looks partials and helpers up only while rendering, so a typo would surface as
 * a broken document in front of a filer. Checking every reference here turns it into a
 * start-up error that names the file.
 */
function checkReferences(source: Source, env: Env, partials: Map<string, string>, templatesDir: string): void {
  const inline = new Set<string>();
  walk(source.ast, (node) => {
    if (node.type !== 'DecoratorBlock') return;
    const block = node as unknown as hbs.AST.BlockStatement;
    const first = block.params[0];
    if (simpleName(block.path as hbs.AST.Expression) === 'inline' && first?.type === 'StringLiteral') {
      inline.add((first as hbs.AST.StringLiteral).value);
    }
  });
  walk(source.ast, (node) => {
    if (node.type === 'PartialStatement' || node.type === 'PartialBlockStatement') {
      const name = (node as hbs.AST.PartialStatement).name;
      if (name.type !== 'PathExpression') return; // dynamic partial names cannot be checked
      const partial = (name as hbs.AST.PathExpression).original;
      if (partial === '@partial-block' || partials.has(partial) || inline.has(partial)) return;
      throw new Error(
        `Document template ${source.file} uses the partial "${partial}", but ${join(templatesDir, PARTIALS_DIR, `${partial}.hbs`)} does not exist`,
      );
    }
    if (node.type === 'MustacheStatement' || node.type === 'BlockStatement' || node.type === 'SubExpression') {
      const call = node as hbs.AST.MustacheStatement;
      const isCall = node.type === 'SubExpression' || call.params.length > 0 || (call.hash?.pairs.length ?? 0) > 0;
      const name = simpleName(call.path as hbs.AST.Expression);
      if (isCall && name !== undefined && !(name in env.helpers)) {
        const line = node.loc ? `:${node.loc.start.line}` : '';
        throw new Error(`Document template ${source.file}${line} calls the unknown helper "${name}"`);
      }
    }
  });
}

/**
 * Handlebars.compile defers code generation to the first render; precompiling (the same path
 * Handlebars uses for build-time templates) makes every template compile now, at start-up.
 */
function compileNow(env: Env, source: Source, noEscape: boolean): Template {
  try {
    const spec = env.precompile(source.ast, { noEscape, strict: false, preventIndent: true });
    return env.template(new Function(`return ${spec};`)() as TemplateSpecification);
  } catch (error) {
    throw new Error(`Document template ${source.file} does not compile: ${(error as Error).message}`);
  }
}

type TemplateSpecification = Parameters<Env['template']>[0];

interface ModeSet {
  env: Env;
  layout: Template;
  templates: Map<string, Template>;
}

/** Loads and compiles the document templates once; throws at start-up on any missing or broken file. */
export function createDocumentRenderer(options: DocumentRendererOptions): DocumentRenderer {
  const { templatesDir, format } = options;
  const files = listTemplates(templatesDir);
  const partialsRoot = join(templatesDir, PARTIALS_DIR);

  const partialSources = new Map<string, Source>();
  const caseSources = new Map<string, Source>();
  let layoutSource: Source | undefined;
  for (const file of files) {
    const rel = relative(templatesDir, file).split(sep).join('/');
    const name = rel.replace(/\.hbs$/, '');
    if (file.startsWith(partialsRoot + sep)) partialSources.set(name.slice(PARTIALS_DIR.length + 1), parse(file));
    else if (name === LAYOUT) layoutSource = parse(file);
    else if (!name.includes('/')) caseSources.set(name, parse(file));
  }
  if (!layoutSource) throw new Error(`Document layout ${join(templatesDir, `${LAYOUT}.hbs`)} does not exist`);
  for (const caseType of options.caseTypes ?? []) {
    if (!caseSources.has(caseType)) {
      throw new Error(`No document template for case type "${caseType}": ${join(templatesDir, `${caseType}.hbs`)} does not exist`);
    }
  }
  const documents = new Set(options.documents ?? []);
  for (const name of documents) {
    if (!caseSources.has(name)) throw new Error(`No template for the document "${name}": ${join(templatesDir, `${name}.hbs`)} does not exist`);
  }

  const partialFiles = new Map([...partialSources].map(([name, s]) => [name, s.file]));
  const probe = Handlebars.create();
  registerDocumentHelpers(probe, format);
  for (const source of [layoutSource, ...partialSources.values(), ...caseSources.values()]) {
    checkReferences(source, probe, partialFiles, templatesDir);
  }

  // Text output must not carry HTML entities, so it gets its own environment compiled
  // without escaping; the HTML environment keeps Handlebars' escaping on.
  const build = (noEscape: boolean): ModeSet => {
    const env = Handlebars.create();
    registerDocumentHelpers(env, format);
    for (const [name, source] of partialSources) env.registerPartial(name, compileNow(env, source, noEscape));
    const templates = new Map([...caseSources].map(([name, s]) => [name, compileNow(env, s, noEscape)]));
    return { env, layout: compileNow(env, layoutSource, noEscape), templates };
  };
  const modes: Record<RenderMode, ModeSet> = { html: build(false), text: build(true) };

  const renderRaw = (model: DocumentModel, mode: RenderMode, document: string | undefined, tagged: boolean): string => {
    const set = modes[mode];
    if (!set) throw new Error(`Unknown document render mode "${String(mode)}"`);
    const name = document ?? model.caseType;
    const template = set.templates.get(name);
    if (!template) {
      throw new Error(document
        ? `No template for the document "${name}": ${join(templatesDir, `${name}.hbs`)} does not exist`
        : `No document template for case type "${name}": ${join(templatesDir, `${name}.hbs`)} does not exist`);
    }
    const meta: NonNullable<RenderData['meta']> = {};
    // The court files the Chinese text; a filer who speaks English also gets a reading copy.
    const languages: Locale[] = model.locale === 'en-US' ? ['zh-CN', 'en-US'] : ['zh-CN'];
    const copies = languages.map((lang) => {
      const data: RenderData = { mode, lang, root: model, tagged, meta };
      const body = template(model, { data });
      return { locale: lang, reference: lang !== 'zh-CN', body: new set.env.SafeString(body) };
    });
    const data: RenderData = { mode, lang: 'zh-CN', root: model, tagged };
    // The heading is already escaped for HTML by the helper that saw it.
    const title = meta.title === undefined ? undefined : new set.env.SafeString(meta.title);
    return set.layout({ model, copies, title }, { data });
  };

  return {
    caseTypes: [...caseSources.keys()].filter((name) => !documents.has(name)),
    render(model, mode, document) {
      const out = renderRaw(model, mode, document, false);
      return mode === 'text' ? finishText(out) : out.trim() + '\n';
    },
    layout(model, document) {
      const blocks: DocumentBlock[] = [];
      let lang: Locale = 'zh-CN';
      let title = '';
      for (const block of textBlocks(renderRaw(model, 'text', document, true))) {
        if (COPY_RULE.test(block.text)) {
          lang = 'en-US';
          continue;
        }
        if (block.kind === 'heading' && !title) title = block.text;
        blocks.push({ ...block, lang });
      }
      return { title, blocks };
    },
  };
}
