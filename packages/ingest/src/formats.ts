import type { Platform } from '@reer/core';
import type { FieldName, FormatId } from './types.ts';

/**
 * Column layouts of the tabular exports, mapped by header name in every UI language we have seen
 * (never by position), plus the canonical column order used only when a header is in a language
 * we do not know yet but the file's name and shape say which export it is.
 */
export interface TabularFormat {
  id: FormatId;
  platform: Platform;
  /** Normalized header name → field. */
  aliases: ReadonlyMap<string, FieldName>;
  /** Fields a header must have for the format to match. */
  required: readonly FieldName[];
  /** Field of each column in the export's fixed order (X exports only). */
  positional?: readonly (FieldName | null)[];
  /** File names this export is saved under. */
  fileName?: RegExp;
  /** Whether a text starting with `@` marks a reply (true on X, where replies start with the handle). */
  atMeansReply: boolean;
}

/** Lowercase, NFKC, without the stray `:` and `\` that some localized headers end with. */
export function normalizeHeader(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/^\ufeff/, '')
    .trim()
    .replace(/[\s:\\]+$/u, '')
    .replace(/\s+/gu, ' ')
    .toLowerCase();
}

function aliasMap(entries: Partial<Record<FieldName, readonly string[]>>): ReadonlyMap<string, FieldName> {
  const map = new Map<string, FieldName>();
  for (const [field, names] of Object.entries(entries) as [FieldName, readonly string[]][]) {
    for (const name of names) map.set(normalizeHeader(name), field);
  }
  return map;
}

export const X_LEGACY: TabularFormat = {
  id: 'x-legacy',
  platform: 'x',
  fileName: /^tweet_activity_metrics_/i,
  atMeansReply: true,
  required: ['post_id', 'text', 'created_at'],
  aliases: aliasMap({
    post_id: ['Tweet id', 'id do Tweet', 'ID del Tweet', 'ID du Tweet', 'Tweet-ID'],
    url: ['Tweet permalink', 'link permanente do Tweet', 'enlace permanente del Tweet'],
    text: ['Tweet text', 'texto do Tweet', 'texto del Tweet', 'texte du Tweet'],
    created_at: ['time', 'horário', 'hora', 'heure', 'Zeit'],
    impressions: ['impressions', 'impressões', 'impresiones', 'Impressionen'],
    engagements: ['engagements', 'engajamentos', 'interacciones'],
    engagement_rate: ['engagement rate', 'taxa de engajamento', 'tasa de interacción'],
    reposts: ['retweets', 'Retweets'],
    replies: ['replies', 'respostas', 'respuestas', 'réponses', 'Antworten'],
    likes: ['likes', 'favorites', 'favoritos', 'Me gusta', "J'aime", 'Gefällt mir'],
    profile_visits: ['user profile clicks', 'cliques no perfil do usuário'],
    clicks: ['url clicks', 'cliques no URL'],
    follows: ['follows', 'seguiram'],
    media_views: ['media views', 'visualizações da mídia'],
    media_engagements: ['media engagements', 'engajamentos com mídia'],
  }),
  positional: [
    'post_id', 'url', 'text', 'created_at', 'impressions', 'engagements', 'engagement_rate', 'reposts', 'replies',
    'likes', 'profile_visits', 'clicks', null, null, null, null, null, 'follows', null, null, 'media_views', 'media_engagements',
  ],
};

export const X_CURRENT: TabularFormat = {
  id: 'x-current',
  platform: 'x',
  fileName: /^account_analytics_content_/i,
  atMeansReply: true,
  required: ['post_id', 'text', 'created_at'],
  aliases: aliasMap({
    post_id: ['Post id', 'ポストID'],
    created_at: ['Date', '日付'],
    text: ['Post text', 'ポスト本文'],
    url: ['Post Link', 'ポストのリンク'],
    impressions: ['Impressions', 'インプレッション数'],
    likes: ['Likes', 'いいね'],
    engagements: ['Engagements', 'エンゲージメント'],
    bookmarks: ['Bookmarks', 'ブックマーク'],
    shares: ['Shares', '共有された回数'],
    follows: ['New follows', '新しいフォロー'],
    replies: ['Replies', '返信'],
    reposts: ['Reposts', 'リポスト'],
    profile_visits: ['Profile visits', 'プロフィールへのアクセス数'],
    clicks: ['URL Clicks', 'URLのクリック数'],
  }),
  positional: [
    'post_id', 'created_at', 'text', 'url', 'impressions', 'likes', 'engagements', 'bookmarks', 'shares', 'follows',
    'replies', 'reposts', 'profile_visits', null, 'clicks', null, null,
  ],
};

export const META_FACEBOOK: TabularFormat = {
  id: 'meta-facebook',
  platform: 'facebook',
  atMeansReply: false,
  required: ['post_id', 'created_at'],
  aliases: aliasMap({
    post_id: ['Post ID'],
    author: ['Page name'],
    // The caption is in Title; Description repeats it or holds the link preview text.
    text: ['Title'],
    created_at: ['Publish time'],
    url: ['Permalink'],
    post_type: ['Post type'],
    is_share: ['Is share'],
    impressions: ['Views', 'Impressions'],
    likes: ['Reactions'],
    replies: ['Comments'],
    shares: ['Shares'],
    engagements: ['Reactions, Comments and Shares'],
    clicks: ['Total clicks', 'Link clicks'],
  }),
};

export const META_INSTAGRAM: TabularFormat = {
  id: 'meta-instagram',
  platform: 'instagram',
  atMeansReply: false,
  required: ['post_id', 'created_at'],
  aliases: aliasMap({
    post_id: ['Post ID'],
    author: ['Account username'],
    text: ['Description'],
    created_at: ['Publish time'],
    url: ['Permalink'],
    post_type: ['Post type'],
    impressions: ['Views', 'Impressions'],
    likes: ['Likes'],
    shares: ['Shares'],
    follows: ['Follows'],
    replies: ['Comments'],
    bookmarks: ['Saves'],
    profile_visits: ['Profile visits'],
  }),
};

export const LINKEDIN_SHARES: TabularFormat = {
  id: 'linkedin-shares',
  platform: 'linkedin',
  fileName: /^shares\.csv$/i,
  atMeansReply: false,
  required: ['url', 'text', 'created_at'],
  aliases: aliasMap({
    created_at: ['Date'],
    url: ['ShareLink'],
    text: ['ShareCommentary'],
    has_media: ['MediaUrl'],
  }),
};

export const LINKEDIN_COMPANY: TabularFormat = {
  id: 'linkedin-company',
  platform: 'linkedin',
  atMeansReply: false,
  required: ['text', 'created_at', 'impressions'],
  aliases: aliasMap({
    text: ['Post title', 'Update title'],
    url: ['Post link', 'Update link'],
    post_type: ['Post type', 'Update type', 'Content Type'],
    created_at: ['Created date'],
    impressions: ['Impressions'],
    clicks: ['Clicks'],
    likes: ['Likes', 'Reactions'],
    replies: ['Comments'],
    reposts: ['Reposts', 'Shares'],
    follows: ['Follows'],
    engagement_rate: ['Engagement rate'],
  }),
};

/** The tabular formats detection tries, most specific first. */
export const TABULAR_FORMATS: readonly TabularFormat[] = [X_LEGACY, X_CURRENT, META_INSTAGRAM, META_FACEBOOK, LINKEDIN_SHARES, LINKEDIN_COMPANY];

export function tabularFormat(id: FormatId): TabularFormat | undefined {
  return TABULAR_FORMATS.find((f) => f.id === id);
}

/**
 * Files that hold per-day or per-account totals rather than posts. Users pick them by mistake
 * because they sit next to the per-post export; we refuse them and say which file to use.
 */
export const SUMMARY_FILES: readonly { fileName: RegExp; what: string }[] = [
  { fileName: /^daily_tweet_activity_metrics_/i, what: 'an X per-day totals export (daily_tweet_activity_metrics), not per-post data: export the tweet_activity_metrics_… file instead' },
  { fileName: /^account_overview_analytics/i, what: 'an X account overview (per-day totals), not per-post data: export Analytics → Content (account_analytics_content_…) instead' },
  { fileName: /^video_overview_analytics/i, what: 'an X video overview (per-day totals), not per-post data: export Analytics → Content (account_analytics_content_…) instead' },
];

/** Header words of per-day files: a `Date` column and totals, but no post id or text. */
export const SUMMARY_HEADER_HINTS = ['tweets published', 'create post', 'unfollows', 'video views', 'new follows', 'impressions', 'engagements'];
