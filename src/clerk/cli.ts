/**
 * `npm run clerk -- <command>`: staff accounts from the command line (see commands.ts).
 * Works whether or not the server is running; the password comes from standard input.
 */
import { runClerkCommand } from './commands.js';

process.exitCode = await runClerkCommand(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
