"""E-mail into tickets: parsing, intake, the SMTP server and the IMAP poller of ``sqm mail-in``.

parse    raw bytes -> ParsedMail (charsets, RFC 2047, HTML, attachments); MailError -> quarantine
intake   receive(raw): the InboundEmail row and the ticket work in one transaction
smtp     MailServer: aiosmtpd server that answers 250 only after intake committed
imap     ImapPoller: fetch UNSEEN, take in, mark seen (or move) only after the commit
text     charset fallbacks, header decoding, HTML to text, quoted-reply trimming

Outbound mail (agent replies, closure notices) lives in :mod:`sqm.tickets.notify`.
"""
