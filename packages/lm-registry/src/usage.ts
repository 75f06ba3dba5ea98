import type { UsageData } from '@reer/core';
import type { ChatResult, UsageEntry } from './types.ts';

/** Usage of the run so far, per provider and model. */
export class UsageLedger {
  private readonly entries = new Map<string, UsageEntry>();

  private entry(provider: string, model: string): UsageEntry {
    const key = `${provider}\u0000${model}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { provider, model, calls: 0, retries: 0, failures: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
      this.entries.set(key, entry);
    }
    return entry;
  }

  record(provider: string, model: string, delta: Partial<Omit<UsageEntry, 'provider' | 'model'>>): void {
    const entry = this.entry(provider, model);
    entry.calls += delta.calls ?? 0;
    entry.retries += delta.retries ?? 0;
    entry.failures += delta.failures ?? 0;
    entry.inputTokens += delta.inputTokens ?? 0;
    entry.outputTokens += delta.outputTokens ?? 0;
    entry.costUsd += delta.costUsd ?? 0;
  }

  /** A copy of every entry, sorted by provider then model. */
  snapshot(): UsageEntry[] {
    return [...this.entries.values()]
      .map((e) => ({ ...e }))
      .sort((a, b) => a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model));
  }
}

/** The `usage` field of stored records (candidates, traces, evaluations) for the calls that made them. */
export function usageOfResults(results: readonly Pick<ChatResult, 'attempts' | 'usage' | 'costUsd'>[]): UsageData {
  const out: UsageData = { calls: 0, retries: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 };
  for (const r of results) {
    out.calls += 1;
    out.retries += Math.max(0, r.attempts - 1);
    out.input_tokens += r.usage.inputTokens;
    out.output_tokens += r.usage.outputTokens;
    out.cost_usd += r.costUsd;
  }
  return out;
}

/** The same record shape, summed over ledger entries (a whole run). */
export function usageOfEntries(entries: readonly UsageEntry[]): UsageData {
  const out: UsageData = { calls: 0, retries: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 };
  for (const e of entries) {
    out.calls += e.calls;
    out.retries += e.retries;
    out.input_tokens += e.inputTokens;
    out.output_tokens += e.outputTokens;
    out.cost_usd += e.costUsd;
  }
  return out;
}
