import { extractFeatures, type HookType, type TextFeatures } from '@reer/heuristics';

export const POST_FORMATS = ['thread', 'list', 'question', 'announcement', 'link_share', 'statement'] as const;
export type PostFormat = (typeof POST_FORMATS)[number];
export type Tone = 'excited' | 'positive' | 'neutral' | 'negative';
export type LengthBand = 'short' | 'medium' | 'long' | 'longform';

/** The structural description strategies are clustered on. */
export interface PostStructure {
  hook: HookType;
  format: PostFormat;
  tone: Tone;
  length: LengthBand;
  cta: boolean;
  link: boolean;
}

const ANNOUNCE_RE =
  /\b(?:announc\w*|introduc\w*|launch\w*|releas\w*|now (?:available|live|out|on cran)|out now|just (?:published|released|shipped|launched)|new (?:version|release|package|post|paper|blog|episode|video|course)|we(?:'re|’re| are) (?:excited|happy|thrilled|pleased|proud)|welcome|call for)\b/iu;

/** Reads a post's structure from its text (pure, no LM). */
export function postStructure(text: string, features: TextFeatures = extractFeatures(text)): PostStructure {
  let format: PostFormat;
  if (features.is_thread) format = 'thread';
  else if (features.is_list) format = 'list';
  else if (features.hook === 'question' || features.questions > 0) format = 'question';
  else if (ANNOUNCE_RE.test(text)) format = 'announcement';
  else if (features.links > 0) format = 'link_share';
  else format = 'statement';

  const c = features.sentiment_comparative;
  const tone: Tone = features.exclamations > 0 && c > 0 ? 'excited' : c > 0.05 ? 'positive' : c < -0.05 ? 'negative' : 'neutral';
  const length: LengthBand = features.chars < 100 ? 'short' : features.chars < 200 ? 'medium' : features.chars < 500 ? 'long' : 'longform';
  return { hook: features.hook, format, tone, length, cta: features.has_cta, link: features.links > 0 };
}

/** Dimensions from most to least defining; clustering backs off by dropping them from the end. */
export const STRUCTURE_LEVELS: readonly (readonly (keyof PostStructure)[])[] = [
  ['format', 'hook', 'length', 'tone'],
  ['format', 'hook', 'length'],
  ['format', 'hook'],
  ['format'],
];

export function structureKey(structure: PostStructure, dims: readonly (keyof PostStructure)[]): string {
  return dims.map((d) => `${d}=${String(structure[d])}`).join(',');
}
