"""Errors the experiment layer reports to a user without a traceback, and the exit code they give."""

EXIT_USER = 2  # exit code of a user's mistake (bad input, bad option, an output folder that cannot be written)


class UserError(Exception):
    """A mistake in the command line or its inputs, reported without a traceback."""
