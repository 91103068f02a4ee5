import { printable } from '../common/printable.js';
import type { Report } from '../schema/report.js';
import { buildView } from './view.js';
import { markdownRenderer, tidyMarkdown } from './templates.js';

/** report.md: GitHub-flavoured Markdown from templates/report/report.md.hbs. */
export function renderMarkdown(report: Report): string {
  return printable(tidyMarkdown(markdownRenderer()(buildView(report))));
}
