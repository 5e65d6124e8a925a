import nodemailer from "nodemailer";
import type { InviteKind } from "../generated/prisma/enums.ts";
import type { Logger } from "../logger.ts";

export interface LinkEmail {
  kind: InviteKind;
  to: string;
  name: string;
  workspaceName: string;
  url: string;
  expiresAt: Date;
}

export interface Mailer {
  /** Emails an invitation or reset link. A failure is logged, not thrown: the admin still has the link to copy. */
  sendLink(email: LinkEmail): Promise<void>;
  close(): void;
}

/** Sends through the SMTP server of `SMTP_URL` (nodemailer: TLS, auth and pooling as the URL says). */
export function createMailer(smtpUrl: string, from: string, logger: Logger): Mailer {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async sendLink({ kind, to, name, workspaceName, url, expiresAt }) {
      const until = expiresAt.toUTCString();
      const [subject, intro] =
        kind === "INVITE"
          ? [`Join ${workspaceName} on Bharat CRM`, `you have been invited to answer ${workspaceName}'s customers on WhatsApp with Bharat CRM. Choose your password here:`]
          : [`Set a new Bharat CRM password`, `an admin of ${workspaceName} has issued you a link to set a new password:`];
      const text = `Hello ${name},\n\n${intro}\n\n${url}\n\nThe link works once, until ${until}.\n`;
      try {
        await transport.sendMail({ from, to, subject, text });
        logger.info({ kind }, "Emailed a team link");
      } catch (error) {
        // Never the URL: it is a secret until used.
        logger.warn({ kind, error: error instanceof Error ? error.message : String(error) }, "Could not email a team link; the admin can copy it instead");
      }
    },
    close: () => transport.close(),
  };
}
