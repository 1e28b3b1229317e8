// Target text is data: whatever the target answers, the summary's Markdown keeps its own structure.
import { describe, expect, it } from 'vitest';
import { mdBlock, mdText, renderMarkdown, type RunResults } from '../helpers/report/results.ts';

const HOSTILE = [
  '<!doctype html><html><body><h1>Bad Gateway</h1>',
  '```',
  '# Everything passed',
  '![pixel](https://tracker.example/p.png) [click](https://evil.example) https://evil.example www.evil.example a@evil.example',
  '<img src="https://tracker.example/i.png"> <script>alert(1)</script> <a href="https://evil.example">x</a>',
  '</pre> | table | break | ~~~ $x$ \\',
  '</body></html>',
].join('\n');

function results(text: string): RunResults {
  return {
    verdict: 'checks failed',
    target: 'staging',
    provider: 'external',
    apiUrl: 'https://api.example',
    finishedAt: '2026-01-01T00:00:00.000Z',
    counts: { passed: 0, failed: 1, skipped: 1 },
    tests: [
      { suite: 'health', name: text, state: 'failed', error: `expected 200, got 502: ${text}`, meta: { diagnosis: [text], release: [{ who: 'api', deployedCommit: text, deployedBranch: text }], figures: { [text]: text } } },
      { suite: 'deploy', name: 'x', state: 'skipped', skipNote: text },
    ],
    problems: [text],
  };
}

/** Markdown constructs a line of the rendered summary may hold that we did not put there. */
function escapes(markdown: string): string[] {
  const found: string[] = [];
  const ours = /^(## [✅❌] e2e |### |#### |Target |Diagnosis:|- |\| |<pre>|$)/;
  for (const line of markdown.replace(/<pre>[\s\S]*?<\/pre>/g, '<pre></pre>').split('\n')) {
    if (!ours.test(line)) found.push(`a line we did not write: ${line}`);
  }
  const outsidePre = markdown.replace(/<pre>[\s\S]*?<\/pre>/g, '');
  for (const [what, re] of [
    ['a fence', /```|~~~/],
    ['an image or link', /!?\[[^\]]*\]\(/],
    ['an HTML tag', /<(?!br>)[a-z!/]/i],
    ['a bare URL', /https?:\/\/|www\./i],
    ['an email autolink', /\w@\w/],
    ['math', /\$/],
    ['a heading we did not write', /^#{1,6} (?!([✅❌] e2e |Why|Release|Enqueue|Figures|Failures|Skipped|Transient|health › ))/m],
  ] as const) {
    if (re.test(outsidePre)) found.push(what);
  }
  // Inside <pre>, only our closing tag may close it, and no tag may open.
  for (const block of markdown.match(/<pre>[\s\S]*?<\/pre>/g) ?? []) {
    const inner = block.slice(5, -6);
    if (/[<>]/.test(inner)) found.push(`a tag inside a block: ${inner.slice(0, 80)}`);
  }
  return found;
}

describe('Markdown summary of a hostile target', () => {
  it('an HTML answer with fences, headings, links, images and a closing </pre> stays text', () => {
    const markdown = renderMarkdown(results(HOSTILE));
    expect(escapes(markdown)).toEqual([]);
    // The text is still there, readable once rendered.
    expect(markdown).toContain('&lt;h1&gt;Bad Gateway&lt;/h1&gt;');
    expect(markdown).toContain('### Failures');
  });

  it('the check can fail: unescaped text is caught', () => {
    expect(escapes(`## ❌ e2e x: y\n\n- ${HOSTILE}`).length).toBeGreaterThan(0);
  });

  it('inline text: one line, character references for every construct', () => {
    expect(mdText('a\n# b')).toBe('a<br>&#35; b');
    expect(mdText('![i](https://x.example)')).toBe('&#33;&#91;i&#93;(https&#58;//x.example)');
    expect(mdText('`x` <b>')).toBe('&#96;x&#96; &lt;b&gt;');
    expect(mdBlock('a </pre> <img>')).toBe('<pre>a &lt;/pre&gt; &lt;img&gt;</pre>');
  });
});
