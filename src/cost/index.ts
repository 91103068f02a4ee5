/**
 * The cost analyst: `analyzeCost(snapshot, graph, { prices })` → CostReport, and
 * `loadPriceOverrides(path)` for `--prices FILE`. Method and price data: docs/cost.md.
 */
export { analyzeCost, type AnalyzeCostOptions } from './analyze.js';
export { loadPriceOverrides, parsePriceOverrides, type PriceOverrides, type NodePriceRule } from './overrides.js';
export { builtInPriceModel, type PriceModel } from './price-model.js';
export { HOURS_PER_MONTH } from './money.js';
