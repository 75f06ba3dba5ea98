import type { Platform } from '@reer/core';

/** How a platform counts the length of a post, and the default limit it enforces. */
export interface PlatformLimit {
  /** The default maximum, in the platform's own unit. */
  limit: number;
  /** What `platformLength` returns for this platform. */
  unit: 'weighted' | 'graphemes' | 'characters';
  /** Whether the limit can differ per account or instance (X long posts, Mastodon instances). */
  configurable: boolean;
  /** A second limit some platforms enforce, e.g. Bluesky's 3000 UTF-8 bytes. */
  maxBytes?: number;
  /** Hashtags a caption may carry before the platform rejects it. */
  maxHashtags?: number;
}

/**
 * Defaults from `docs/design/formats-and-platforms.md`. X's 280 is for unpaid accounts and
 * Mastodon's 500 is the stock instance limit: pass `options.limit` to override either.
 */
export const PLATFORM_LIMITS: Readonly<Record<Platform, PlatformLimit>> = {
  x: { limit: 280, unit: 'weighted', configurable: true },
  linkedin: { limit: 3000, unit: 'characters', configurable: false },
  threads: { limit: 500, unit: 'weighted', configurable: false },
  bluesky: { limit: 300, unit: 'graphemes', configurable: false, maxBytes: 3000 },
  mastodon: { limit: 500, unit: 'weighted', configurable: true },
  facebook: { limit: 63_206, unit: 'characters', configurable: false },
  instagram: { limit: 2200, unit: 'characters', configurable: false, maxHashtags: 30 },
  discord: { limit: 2000, unit: 'characters', configurable: false },
};
