/**
 * `npm run data-key -- <command>`: DATA_KEY for encryption at rest (see data-key-commands.ts).
 * `rotate` refuses to run while a server uses DATA_DIR.
 */
import { runDataKeyCommand } from './data-key-commands.js';

process.exitCode = await runDataKeyCommand(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
