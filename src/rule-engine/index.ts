/** The declarative rule engine (docs/rules.md). */
export { loadRuleSet, listRules, defaultRulesDir, compileRule, type Rule, type RuleSet, type RuleSummary, type LoadRuleSetOptions } from './loader.js';
export { evaluateRules, evaluateRulesDetailed, compareFindings, type RuleEvaluationResult, type RuleEvaluationError } from './evaluate.js';
export { loadRuleConfig, parseRuleConfig, EXEMPT_ANNOTATION, EXEMPT_REASON_ANNOTATION } from './config.js';
