import { describe, expect, it } from 'vitest';
import { junitXml } from './junit.ts';

describe('junitXml', () => {
  it('writes suites, cases, failures and output, escaped', () => {
    const xml = junitXml(
      'social-eval check',
      [
        { name: 'ok <1>', classname: 'social-eval.check.x' },
        { name: 'bad & "2"', classname: 'social-eval.check.x', failure: { message: "score 0.2 < 0.5", detail: 'why\u0001 not' }, output: 'Score 0.20' },
      ],
      '2024-01-01T00:00:00.000Z',
    );
    expect(xml).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="social-eval check" tests="2" failures="1" errors="0">',
        '  <testsuite name="social-eval check" tests="2" failures="1" errors="0" skipped="0" timestamp="2024-01-01T00:00:00.000Z">',
        '    <testcase classname="social-eval.check.x" name="ok &lt;1&gt;" time="0.000"/>',
        '    <testcase classname="social-eval.check.x" name="bad &amp; &quot;2&quot;" time="0.000">',
        '      <failure message="score 0.2 &lt; 0.5" type="check">why not</failure>',
        '      <system-out>Score 0.20</system-out>',
        '    </testcase>',
        '  </testsuite>',
        '</testsuites>',
        '',
      ].join('\n'),
    );
  });
});
