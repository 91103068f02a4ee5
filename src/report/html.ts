import { printable } from '../common/printable.js';
import type { Report } from '../schema/report.js';
import { buildView } from './view.js';
import { htmlRenderer } from './templates.js';

/**
 * report.html: one self-contained file (inline CSS and script, a CSP that forbids any network
 * load). Every value from the cluster goes through Handlebars' HTML escaping.
 */
export function renderHtml(report: Report): string {
  return printable(htmlRenderer()(buildView(report)).replace(/[ \t]+$/gm, ''));
}
