"""What the decoders share, kept apart from the decoders: not decoders themselves (no ``NAME``,
``matches`` or ``decode``), so the registry test skips this package.

- :mod:`.views`: the report's text, first lines, Received headers and senders, once per message;
- :mod:`.markers`: each decoder's marker phrases and own reason phrases (data tables);
- :mod:`.blocks`: recipient blocks of a report and the facts read from each;
- :mod:`.smtp`: the SMTP wording inside a report (commands, replies, transcripts, remote hosts);
- :mod:`.gate`: what a decoder's ``matches`` cannot be true without, checked before calling it.
"""
