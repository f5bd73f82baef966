/**
 * The malformed-manifest corpus: every file under test/api/malformed names
 * the field path and a message fragment its first issue must carry, in two
 * header lines `# path: P` and `# message: M` — or, for a case KubeVirt in
 * fact accepts, `# verdict: accepted` and a `# note:` saying why. Templates are processed like
 * `vmconform validate` does (no parameters, seed 1).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifests, processTemplate, type FieldIssue } from '../../harness/api/index.ts';

const DIR = join(import.meta.dirname, 'malformed');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

/** All issues of a file, templates processed (test helper). */
function issuesOf(text: string, source: string): FieldIssue[] {
  const r = loadManifests(text, source);
  if (!r.ok) return r.issues;
  const out: FieldIssue[] = [];
  for (const o of r.objects) {
    if (o.kind !== 'Template') continue;
    const t = processTemplate(o, {}, 1);
    if (!t.ok) out.push(...t.issues);
  }
  return out;
}

describe('malformed manifest corpus', () => {
  it('has at least 35 cases', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(35);
  });

  it.each(FILES)('%s is judged as KubeVirt judges it', (file) => {
    const text = readFileSync(join(DIR, file), 'utf8');
    if (/^# verdict: accepted$/m.test(text)) {
      expect(/^# note: /m.test(text), 'an accepted case says why').toBe(true);
      expect(issuesOf(text, file)).toEqual([]);
      return;
    }
    const path = /^# path: ?(.*)$/m.exec(text)?.[1];
    const message = /^# message: (.*)$/m.exec(text)?.[1];
    expect(path, 'header # path').toBeDefined();
    expect(message, 'header # message').toBeDefined();
    const issues = issuesOf(text, file);
    expect(issues.length).toBeGreaterThan(0);
    const match = issues.find((i) => i.path === path && i.message.includes(message!));
    expect(match, `expected ${path}: …${message}… in\n${issues.map((i) => `${i.path}: ${i.message}`).join('\n')}`).toBeDefined();
  });
});
