import { read } from 'read';
import { hashPassword } from './password';

// npm run -s admin:hash-password
// Reads a password from standard input (without echo on a terminal, asked twice there) and prints
// one line ready to paste into .env or a shell: ADMIN_PASSWORD_HASH='scrypt$…', quoted because the
// hash holds $ signs, which a shell (and an unquoted .env line read by one) would take for variables.
// Prompts go to stderr, so stdout is that line alone.

const minimumLength = 12;

async function ask(prompt: string): Promise<string> {
  const interactive = Boolean(process.stdin.isTTY);
  return read({
    prompt: interactive ? prompt : '',
    silent: true,
    replace: '',
    output: process.stderr,
    terminal: interactive,
  });
}

async function main(): Promise<void> {
  const password = await ask('Password: ');
  // Said before the second prompt: typing a too-short password twice helps nobody.
  if (password.length < minimumLength)
    throw new Error(`Please choose a password of at least ${minimumLength} characters.`);
  if (process.stdin.isTTY && (await ask('The same password again: ')) !== password) {
    throw new Error('The two passwords differ; nothing was printed.');
  }
  process.stdout.write(`ADMIN_PASSWORD_HASH='${await hashPassword(password)}'\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
