"""booker's one exception tree.

    BookerError                 every error booker raises on purpose
    ├── UsageError              bad command line, config or scenario  -> exit 2
    ├── CredentialsError        credentials missing or unsafe          -> exit 2
    ├── ServiceRefusedError          the service refused for good           -> exit 3
    ├── JournalError            the journal file cannot be opened, read or written -> exit 2
    └── ParseError              a server answer could not be understood (a failure, never fatal)

Answers on the wire are not exceptions: the decision core classifies them as
values (see ``booker.core.decide``). Exceptions are for the edges only.
"""

from __future__ import annotations


class BookerError(Exception):
    """Base of every error booker raises on purpose."""

    exit_code = 1


class UsageError(BookerError):
    """A command line, config file or setting is wrong."""

    exit_code = 2


class CredentialsError(UsageError):
    """Credentials are missing or stored unsafely."""


class ServiceRefusedError(BookerError):
    """The service refused in a way that retrying cannot clear."""

    exit_code = 3


class JournalError(BookerError):
    """The journal of bookings cannot be opened, read or written (see ``booker.store.journal``)."""

    exit_code = 2


class ParseError(BookerError):
    """A server answer did not have the expected shape."""
