import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One result row of `sql()`: column name to text (NULL is null). */
export type TextRow = Record<string, string | null>;

/**
 * Runs statements as root through the `mariadb` command-line client on the server's socket and
 * parses its tab-separated output. No driver: this package depends on nothing of mariapool's.
 */
export async function runSql(client: string, socketPath: string, statement: string): Promise<TextRow[]> {
  const { stdout } = await run(client, ['--no-defaults', '--user=root', `--socket=${socketPath}`, '--batch', '--raw', '-e', statement], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const lines = stdout.split('\n').filter((line) => line !== '');
  if (lines.length === 0) return [];
  const header = (lines[0] as string).split('\t');
  return lines.slice(1).map((line) => {
    const cells = line.split('\t');
    return Object.fromEntries(header.map((name, i) => [name, cells[i] === 'NULL' ? null : (cells[i] ?? null)]));
  });
}
