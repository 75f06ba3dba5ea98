/** `value` held to [lo, hi] (NaN stays NaN, which the callers impute or check). */
export function clip(value: number, lo: number, hi: number): number {
  return value < lo ? lo : value > hi ? hi : value;
}

/** `clip` to [-1, 1], the range of every heuristic signal. */
export function clipSignal(value: number): number {
  return clip(value, -1, 1);
}
