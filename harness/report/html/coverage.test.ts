/** The HTML report's coverage section: the counts of results.json `coverage`, as text. */
import { describe, expect, it } from 'vitest';
import { passingRun } from '../fixtures/passingRun.ts';
import { coverageSection } from './coverage.ts';

describe('coverageSection', () => {
  it('tables the migrations, the step kinds with their refusals, the spec values and what is not drawn', () => {
    const page = coverageSection(passingRun.coverage).value;
    expect(page).toContain('<h2>Coverage</h2>');
    expect(page).toContain('<tr><td>sequences with a migration that ran</td><td class="num">18 of 50 (36 %)</td></tr>');
    expect(page).toContain('<tr><td>of those, by target death</td><td class="num">5</td></tr>');
    expect(page).toContain('<tr><td>migrate</td><td class="num">61</td><td class="num">40</td><td>409 Conflict 19 · 404 NotFound 2</td></tr>');
    expect(page).toContain('<tr><td>memory</td><td>1Gi 9 · 256Mi 30</td></tr>');
    expect(page).toContain('<tr><td>diskBus</td><td>sata</td><td>unrealisable</td><td>no AHCI driver in the guest kernel</td></tr>');
    expect(page).toContain('R-G2 3');
    // step kinds in name order
    expect(page.indexOf('<td>abortMigration</td>')).toBeLessThan(page.indexOf('<td>migrate</td>'));
  });

  it('prints nothing without coverage, and text from the results as text', () => {
    expect(coverageSection(undefined).value).toBe('');
    const hostile = { ...passingRun.coverage!, commands: { '<script>x</script>': { drawn: 1, accepted: 0, refused: { '<b>409</b>': 1 } } }, shortfalls: ['migrate: 0 drawn, <i>at least</i> 1 required'] };
    const page = coverageSection(hostile).value;
    expect(page).not.toContain('<script>');
    expect(page).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(page).toContain('&lt;b&gt;409&lt;/b&gt; 1');
    expect(page).toContain('<li>migrate: 0 drawn, &lt;i&gt;at least&lt;/i&gt; 1 required</li>');
  });
});
