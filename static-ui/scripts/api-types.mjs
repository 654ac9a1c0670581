// Writes src/api/schema.gen.ts, the TypeScript types of the console API, from the OpenAPI
// document the Rust code describes (utoipa; printed by `cargo run -p local --bin openapi`), with
// openapi-typescript. The page's api/*.ts modules take their shapes from it, so a field the API
// renames or stops sending fails the type check instead of reaching the page as `undefined`.
//
// usage: node scripts/api-types.mjs [--check] [--document FILE]
//   --check          write nothing; exit 1 when the committed file differs from what the
//                    current Rust code generates, naming the command that regenerates it
//   --document FILE  read the document from FILE instead of running the openapi binary
//
// `npm run api-types` regenerates the file; static-ui/scripts/test.sh runs the check.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const REGENERATE = 'npm --prefix static-ui run api-types';
const USAGE = 'usage: node scripts/api-types.mjs [--check] [--document FILE]';
const ui = fileURLToPath(new URL('..', import.meta.url));
const repo = fileURLToPath(new URL('../..', import.meta.url));
const target = fileURLToPath(new URL('../src/api/schema.gen.ts', import.meta.url));

const HEADER = `// Generated from the console API's OpenAPI document (the Rust code's utoipa annotations) by
// static-ui/scripts/api-types.mjs with openapi-typescript. Do not edit: change the Rust side and
// run \`${REGENERATE}\`. static-ui/scripts/test.sh fails while this file is stale.

`;

function parseArgs(argv) {
  const args = { check: false, document: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--check') args.check = true;
    else if (arg === '--document' && argv[i + 1]) args.document = argv[++i];
    else throw new Error(`unknown argument ${arg}; ${USAGE}`);
  }
  return args;
}

/** The OpenAPI document as the current Rust code describes it. */
function readDocument(file) {
  const json = file
    ? readFileSync(file, 'utf8')
    : execFileSync('cargo', ['run', '--quiet', '--package', 'local', '--bin', 'openapi'], {
        cwd: repo,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 64 * 1024 * 1024,
      });
  return JSON.parse(json);
}

/** The file's whole text, as openapi-typescript renders the document. */
async function generate(document) {
  const ast = await openapiTS(document, { alphabetize: true, silent: true, cwd: new URL(`file://${ui}`) });
  return HEADER + astToString(ast);
}

/** The first line where the two texts differ, 1-based, with both versions of it. */
function firstDifference(committed, generated) {
  const a = committed.split('\n');
  const b = generated.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return { line: i + 1, committed: a[i] ?? '(end of file)', generated: b[i] ?? '(end of file)' };
  }
  return undefined;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const generated = await generate(readDocument(args.document));
  if (!args.check) {
    writeFileSync(target, generated);
    console.log(`wrote ${target}`);
    return;
  }
  const committed = existsSync(target) ? readFileSync(target, 'utf8') : '';
  const diff = firstDifference(committed, generated);
  if (!diff) {
    console.log('src/api/schema.gen.ts matches the API document');
    return;
  }
  console.error(
    `src/api/schema.gen.ts is stale: the API's OpenAPI document changed since it was generated.\n` +
      `  first difference at line ${diff.line}:\n` +
      `    committed: ${diff.committed.trim()}\n` +
      `    generated: ${diff.generated.trim()}\n` +
      `Regenerate it with \`${REGENERATE}\`, then fix what the type check reports.`,
  );
  process.exitCode = 1;
}

main().catch((e) => {
  console.error(`api-types: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 2;
});
