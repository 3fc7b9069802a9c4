// Anything that looks like an email address, wherever it appears in a text (an error message that
// quotes input, a mail server's reply naming a recipient).
const emailLike = /[^\s@<>"'`(),;:]{1,64}@[^\s@<>"'`(),;:]{1,255}/g;

/** `text` with every email address in it replaced by "[email]", for logs. */
export function withoutEmailAddresses(text: string): string {
  return text.replace(emailLike, '[email]');
}
