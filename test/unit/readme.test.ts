import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPTIONS, type ConfigKey } from '../../src/config';

/** The README's configuration table, as OPTIONS (the single source of truth) renders it. */
function optionsTable(): string {
  const cell = (text: string): string => text.replace(/\|/g, '\\|');
  const rows = (Object.keys(OPTIONS) as ConfigKey[]).map((key) => {
    const o = OPTIONS[key];
    const dflt = o.default === undefined ? '' : o.default === '' ? '(none)' : `\`${o.default}\``;
    return `| \`${o.env}\` | ${dflt} | ${cell(o.help)} |`;
  });
  return ['| Variable | Default | Meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

describe('README', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

  it('documents every option exactly as src/config.ts defines it', () => {
    const expected = optionsTable();
    // On failure, paste the table printed here between the OPTIONS markers in README.md.
    const section = /<!-- OPTIONS:BEGIN -->\n([\s\S]*?)\n<!-- OPTIONS:END -->/.exec(readme)?.[1];
    expect(section).toBe(expected);
  });
});
