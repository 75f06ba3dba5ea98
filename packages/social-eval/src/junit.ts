/** One test case of a JUnit report; `failure` set means it failed. */
export interface JUnitCase {
  name: string;
  classname: string;
  /** Seconds. */
  time?: number;
  failure?: { message: string; detail: string };
  /** Text attached as system-out (shown by most CI systems next to the case). */
  output?: string;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters; matching them is the point.
const XML_FORBIDDEN = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function escapeXml(text: string): string {
  // Characters XML 1.0 forbids even when escaped are dropped.
  return text
    .replace(XML_FORBIDDEN, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A JUnit XML document (the schema Jenkins, GitLab and GitHub reporters read). */
export function junitXml(suite: string, cases: readonly JUnitCase[], timestamp: string): string {
  const failures = cases.filter((c) => c.failure).length;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeXml(suite)}" tests="${cases.length}" failures="${failures}" errors="0">`,
    `  <testsuite name="${escapeXml(suite)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0" timestamp="${escapeXml(timestamp)}">`,
  ];
  for (const c of cases) {
    const open = `    <testcase classname="${escapeXml(c.classname)}" name="${escapeXml(c.name)}" time="${(c.time ?? 0).toFixed(3)}"`;
    if (!c.failure && !c.output) {
      lines.push(`${open}/>`);
      continue;
    }
    lines.push(`${open}>`);
    if (c.failure) lines.push(`      <failure message="${escapeXml(c.failure.message)}" type="check">${escapeXml(c.failure.detail)}</failure>`);
    if (c.output) lines.push(`      <system-out>${escapeXml(c.output)}</system-out>`);
    lines.push('    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
