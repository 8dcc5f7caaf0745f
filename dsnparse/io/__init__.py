"""The edges: where messages come from and records go (files, mbox, Maildir, stdin, IMAP;
JSON Lines, CSV, table, SQLite), worker processes and the fixture runner. The core never
imports anything from here."""
