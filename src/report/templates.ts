/**
 * Loads the Handlebars templates in templates/report/ (shipped in the npm package) and registers
 * the helpers both formats use. Paths are resolved from this module so it works from src/ under
 * vitest and from dist/ after the build.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { CompactFindingView } from './view.js';

export const TEMPLATE_DIR = fileURLToPath(new URL('../../templates/report/', import.meta.url));

type HandlebarsEnv = typeof Handlebars;

function readTemplate(name: string): string {
  return readFileSync(path.join(TEMPLATE_DIR, name), 'utf8');
}

/** Partials are `partials/<name>.<ext>.hbs`, registered as `<name>` for templates of that extension. */
function registerPartials(env: HandlebarsEnv, ext: 'md' | 'html'): void {
  const dir = path.join(TEMPLATE_DIR, 'partials');
  if (!existsSync(dir)) return;
  for (const file of readdirSync(dir).sort()) {
    const suffix = `.${ext}.hbs`;
    if (file.endsWith(suffix)) env.registerPartial(file.slice(0, -suffix.length), readFileSync(path.join(dir, file), 'utf8'));
  }
}

function registerCommonHelpers(env: HandlebarsEnv): void {
  env.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  env.registerHelper('gt', (a: unknown, b: unknown) => Number(a) > Number(b));
  env.registerHelper('inc', (n: unknown) => Number(n) + 1);
  env.registerHelper('join', (list: unknown, sep: unknown) =>
    Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ', ') : '',
  );
  env.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
}

// ---- Markdown escaping -------------------------------------------------------------------------

/** Inline text from the cluster: neutralise Markdown and HTML syntax so names cannot format or inject. */
export function escapeMarkdownInline(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/([\\`*_[\]#|~])/g, '\\$1')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** A table cell: inline-escaped, and newlines become <br> so the row stays one line. */
export function escapeMarkdownCell(text: string): string {
  return escapeMarkdownInline(text).replace(/\n/g, '<br>');
}

/** A code span that survives backticks inside the text and pipes inside tables. */
export function markdownCode(text: string, inTable = false): string {
  const flat = text.replace(/\r?\n/g, ' ');
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  const body = inTable ? flat.replace(/\|/g, '\\|') : flat;
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** A fenced code block whose fence is longer than any backtick run in the body. */
export function markdownFence(body: string, lang = ''): string {
  const longestRun = Math.max(2, ...(body.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longestRun + 1);
  return `${fence}${lang}\n${body.replace(/\s+$/, '')}\n${fence}`;
}

/** Multi-line prose (explanations): escaped per line, paragraphs kept. */
export function markdownParagraphs(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .trim()
    .split(/\n{2,}/)
    .map((p) => escapeMarkdownInline(p).replace(/\n/g, '  \n'))
    .join('\n\n');
}

/** `| Severity | Resource | Element | Where | Pods | Finding id |` rows, one line per finding. */
export function compactMarkdownRows(rows: readonly CompactFindingView[]): string {
  const out: string[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    out[i] =
      `| ${r.severityLabel} | ${escapeMarkdownCell(r.resource)} | ${r.element ? markdownCode(r.element, true) : ''} | ` +
      `${markdownCode(r.where, true)} | ${r.podsAffected} | ${markdownCode(r.id, true)} |`;
  }
  return out.join('\n');
}

/** Collapse runs of blank lines the template leaves behind, but never inside fenced code. */
export function tidyMarkdown(text: string): string {
  const out: string[] = [];
  let fence: string | null = null;
  let blank = 0;
  for (const line of text.split('\n')) {
    const trimmed = line.replace(/\s+$/, '');
    const fenceMatch = /^(`{3,})/.exec(trimmed);
    if (fence) {
      out.push(line);
      if (fenceMatch && fenceMatch[1].length >= fence.length && trimmed === fenceMatch[1]) fence = null;
      continue;
    }
    if (fenceMatch) fence = fenceMatch[1];
    if (trimmed === '') {
      blank += 1;
      if (blank > 1) continue;
    } else blank = 0;
    // Keep Markdown hard line breaks (two trailing spaces); drop other trailing spaces.
    out.push(line.endsWith('  ') && trimmed !== '' ? trimmed + '  ' : trimmed);
  }
  return out.join('\n').replace(/^\n+/, '').replace(/\n*$/, '\n');
}

let markdownTemplate: HandlebarsTemplateDelegate | undefined;
let htmlTemplate: HandlebarsTemplateDelegate | undefined;

export function markdownRenderer(): HandlebarsTemplateDelegate {
  if (markdownTemplate) return markdownTemplate;
  const env = Handlebars.create();
  registerCommonHelpers(env);
  registerPartials(env, 'md');
  env.registerHelper('t', (text: unknown) => escapeMarkdownInline(String(text ?? '')));
  env.registerHelper('cell', (text: unknown) => escapeMarkdownCell(String(text ?? '')));
  env.registerHelper('code', (text: unknown) => markdownCode(String(text ?? '')));
  env.registerHelper('codecell', (text: unknown) => markdownCode(String(text ?? ''), true));
  env.registerHelper('fence', (text: unknown, lang: unknown) =>
    markdownFence(String(text ?? ''), typeof lang === 'string' ? lang : ''),
  );
  env.registerHelper('para', (text: unknown) => markdownParagraphs(String(text ?? '')));
  // The compact rows of findings beyond the detailed ones: written here rather than with {{#each}}, as there can be
  // hundreds of thousands of them.
  env.registerHelper('compactRows', (rows: unknown) => compactMarkdownRows(Array.isArray(rows) ? (rows as CompactFindingView[]) : []));
  markdownTemplate = env.compile(readTemplate('report.md.hbs'), { noEscape: true, strict: false });
  return markdownTemplate;
}

export function htmlRenderer(): HandlebarsTemplateDelegate {
  if (htmlTemplate) return htmlTemplate;
  const env = Handlebars.create();
  registerCommonHelpers(env);
  registerPartials(env, 'html');
  // Lower-case class names for severity/category badges, from a fixed set (never user data).
  env.registerHelper('lower', (text: unknown) => String(text ?? '').toLowerCase());
  htmlTemplate = env.compile(readTemplate('report.html.hbs'), { strict: false });
  return htmlTemplate;
}
