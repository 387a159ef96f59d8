"""The assistant's errors: one base class a front end can catch.

Every error the assistant raises on purpose says what went wrong and what to do,
so a front end shows ``str(exc)`` and stops (the CLI exits 2). Each class also
subclasses the builtin its callers caught before this module existed
(``ValueError`` for bad input, ``RuntimeError`` for an unusable environment), so
``except ValueError`` keeps working.

Defined here: the base classes and the errors of the modules that raise them
without owning a more specific module. Other modules keep their own classes and
derive them from these.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every error the assistant raises on purpose, with an actionable message."""


class InputError(AssistantError, ValueError):
    """Something the user gave is not usable: a question, a filter, a setting, a file."""


class EnvironmentProblemError(AssistantError, RuntimeError):
    """Something the assistant needs is missing or unusable: a store, a model, an extra."""


class StoreError(EnvironmentProblemError):
    """The vector store cannot be opened or used."""


class StoreUnavailableError(StoreError):
    """The configured Chroma server cannot be reached."""


class StorePermissionError(StoreError):
    """The embedded store's files cannot be read or written by this user.

    Never advises ``--rebuild``: deleting the index would not fix the permissions.
    """


class StoreLockedError(StoreError):
    """Another process holds the embedded store's database lock.

    Damaged files are ``assistant.index.state.IndexCorruptError`` (the one error that advises
    ``assistant index --rebuild``)."""


class BackendUnavailableError(EnvironmentProblemError):
    """The chosen answer backend cannot be used (missing extra, missing model, bad settings)."""


__all__ = [
    "AssistantError",
    "BackendUnavailableError",
    "EnvironmentProblemError",
    "InputError",
    "StoreError",
    "StoreLockedError",
    "StorePermissionError",
    "StoreUnavailableError",
]
