export { summarizeLogprobs, REER_LOGPROB_CLIP } from './score-summary.ts';
export type {
  LmCapabilities,
  Capability,
  ChatMessage,
  ChatRequest,
  TokenUsage,
  FinishReason,
  BackendChatResult,
  ChatResult,
  StreamEvent,
  ScoreRequest,
  TokenLogprob,
  ScoreResult,
  LmBackend,
  UsageEntry,
  LanguageModel,
} from './types.ts';
