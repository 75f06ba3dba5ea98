import { describe, expect, it } from 'vitest';
import { seededRandom } from '@reer/core';
import { predictRows, solveRidge, standardize, type SparseDesign } from './_ridge.ts';

/** Dense rows as a CSR design. */
function csr(rows: number[][]): SparseDesign {
  const rowPtr = new Int32Array(rows.length + 1);
  const colIdx: number[] = [];
  const values: number[] = [];
  rows.forEach((row, r) => {
    row.forEach((v, c) => {
      if (v !== 0) {
        colIdx.push(c);
        values.push(v);
      }
    });
    rowPtr[r + 1] = colIdx.length;
  });
  return { rows: rows.length, cols: rows[0]?.length ?? 0, rowPtr, colIdx: Int32Array.from(colIdx), values: Float64Array.from(values) };
}

describe('solveRidge penalty factors', () => {
  // y = 2·x0 + 1·x1 + noise, both columns standardized.
  const rand = seededRandom(5);
  const rows: number[][] = [];
  const y = new Float64Array(400);
  for (let i = 0; i < 400; i++) {
    const x0 = rand() * 4;
    const x1 = rand() * 4;
    rows.push([x0, x1]);
    y[i] = 2 * x0 + x1 + 0.1 * (rand() - 0.5);
  }
  const x = csr(rows);
  const s = standardize(x, 0, 400, 2);
  const slope = (w: Float64Array, c: number) => w[c]! * s.invStd[c]!;

  it('shrinks every column alike without factors', () => {
    const w = solveRidge(x, s, y, 0, 400, 1e6);
    expect(Math.abs(slope(w, 0))).toBeLessThan(0.01);
    expect(Math.abs(slope(w, 1))).toBeLessThan(0.01);
  });

  it('leaves a column with factor 0 unshrunk however heavy the penalty', () => {
    const w = solveRidge(x, s, y, 0, 400, 1e6, { penalty: Float64Array.of(0, 1) });
    expect(slope(w, 0)).toBeCloseTo(2, 1);
    expect(Math.abs(slope(w, 1))).toBeLessThan(0.01);
    const pred = predictRows(x, s, w, y.reduce((a, b) => a + b, 0) / 400, 0, 3);
    for (let r = 0; r < 3; r++) expect(pred[r]! - 2 * rows[r]![0]!).toBeCloseTo(pred[0]! - 2 * rows[0]![0]!, 1);
  });

  it('matches the plain solve when every factor is 1', () => {
    const plain = solveRidge(x, s, y, 0, 400, 30);
    const ones = solveRidge(x, s, y, 0, 400, 30, { penalty: Float64Array.of(1, 1) });
    expect(Array.from(ones)).toEqual(Array.from(plain));
  });
});
