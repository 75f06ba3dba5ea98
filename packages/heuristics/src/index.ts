export { PLATFORM_LIMITS } from './platform-limits.ts';
export type { PlatformLimit } from './platform-limits.ts';
export {
  platformLength,
  platformLengthBound,
  xWeightedLength,
  threadsLength,
  mastodonLength,
  graphemeCount,
  codePointCount,
  utf8Length,
  countEmoji,
  escapeLinkedInText,
  findUnescapedLinkedInChars,
  LINKEDIN_RESERVED,
  SHORT_URL_LENGTH,
} from './platform-length.ts';
export type { PlatformLengthOptions } from './platform-length.ts';
export { checkPlatformRules } from './platform-rules.ts';
export type { PlatformCheck, PlatformRuleOptions, RuleViolation } from './platform-rules.ts';
export { analyzeText, analyzeTextFingerprints, extractFeatures, FEATURE_DESCRIPTIONS, HOOK_TYPES } from './features.ts';
export type { HookType, TextAnalysis, TextFeatures, TokenFingerprints } from './features.ts';
export { FingerprintMap, fingerprintOf as tokenFingerprint, pairH1, pairH2 } from './_fingerprint.ts';
export { sentimentOfTokens } from './sentiment.ts';
export type { SentimentResult } from './sentiment.ts';
export { fleschReadingEase, fleschKincaidGrade, syllablesOf } from './readability.ts';
