import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server in the test process (plain, on loopback); what it receives, parsed. */
export interface TestSmtp {
  port: number;
  url: string;
  mails: ParsedMail[];
  /** Stops listening (the mail server is down). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
  /** Makes the server refuse every message with this reply until `refuse(null)`. */
  refuse(reply: string | null): void;
}

export async function startTestSmtp(): Promise<TestSmtp> {
  const mails: ParsedMail[] = [];
  let refusal: string | null = null;
  const make = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      // Stopping closes the clients' open connections at once (a pooled sender keeps one open).
      closeTimeout: 50,
      onAuth(_auth, _session, done) {
        done(null, { user: 'test' });
      },
      onData(stream, _session, done) {
        if (refusal) {
          stream.resume();
          stream.on('end', () => done(Object.assign(new Error(refusal!), { responseCode: 451 })));
          return;
        }
        simpleParser(stream).then(
          (mail) => {
            mails.push(mail);
            done();
          },
          (error: Error) => done(error),
        );
      },
    });
  let server = make();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    mails,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
    async restart() {
      server = make();
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    refuse(reply) {
      refusal = reply;
    },
  };
}

/** A raw header line of a mail, unfolded (mailparser folds the List-* headers into one structured value). */
export function headerLine(mail: ParsedMail, name: string): string | undefined {
  return mail.headerLines.find((line) => line.key === name.toLowerCase())?.line.replace(/\r?\n(?=[ \t])/g, '');
}

/** The addresses a mail went to. */
export function recipientsOf(mail: ParsedMail): string[] {
  const to = Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [];
  return to.flatMap((group) => group.value.map((address) => address.address ?? ''));
}
