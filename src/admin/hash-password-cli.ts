import { read } from 'read';
import { hashPassword } from './password';

// npm run -s admin:hash-password
// Reads a password from standard input (without echo on a terminal, asked twice there) and prints
// its hash on one line, ready for ADMIN_PASSWORD_HASH. Prompts go to stderr so stdout is the hash alone.

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
  if (process.stdin.isTTY && (await ask('The same password again: ')) !== password) {
    throw new Error('The two passwords differ; nothing was printed.');
  }
  if (password.length < minimumLength)
    throw new Error(`Please choose a password of at least ${minimumLength} characters.`);
  process.stdout.write(`${await hashPassword(password)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
