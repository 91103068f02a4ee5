/** The declarative rule engine (docs/rules.md). */
export { loadRuleSet, listRules, defaultRulesDir, compileRule, type Rule, type RuleSet, type RuleSummary, type LoadRuleSetOptions } from './loader.js';
export { evaluateRules, evaluateRulesDetailed, compareFindings, type RuleEvaluationResult, type RuleEvaluationError, type RuleChecks, type RuleCheckCount } from './evaluate.js';
export { loadRuleConfig, loadRunConfig, parseRuleConfig, appliedConfigOf, EXEMPT_ANNOTATION, EXEMPT_REASON_ANNOTATION, DEFAULT_CONFIG_FILE, type StaleExemption, type AppliedConfig, type LoadedConfig } from './config.js';
export { uncheckedKinds, type NotCheckedKind } from './evaluate.js';
