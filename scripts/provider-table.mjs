// npm run docs:providers: writes the README's provider table from the first
// line of each docs/providers/<type>.md (`<!-- row: | type | … | -->`).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

export function providerRows(dir = 'docs/providers') {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .sort()
    .map((f) => {
      const row = /^<!-- row: (\|.*\|) -->/.exec(readFileSync(`${dir}/${f}`, 'utf8'))?.[1];
      if (!row) throw new Error(`${dir}/${f} does not start with a <!-- row: | … | --> line`);
      const type = /`([^`]+)`/.exec(row)?.[1];
      return `${row.replace(`\`${type}\``, `[\`${type}\`](${dir}/${f})`)}`;
    });
}

export function providerTable(dir) {
  return ['| type | IPv4 | IPv6 | protocol | credential |', '| --- | --- | --- | --- | --- |', ...providerRows(dir)].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const readme = readFileSync('README.md', 'utf8');
  const next = readme.replace(/(<!-- providers:start -->)[\s\S]*?(<!-- providers:end -->)/, `$1\n${providerTable()}\n$2`);
  writeFileSync('README.md', next);
  console.log(next === readme ? 'README.md: provider table already up to date' : 'README.md: provider table written');
}
