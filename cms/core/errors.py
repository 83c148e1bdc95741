"""What the CMS refuses, each with a message of one sentence for the person who asked."""


class CMSError(Exception):
    """Base of every refusal; str(error) is shown to the user as it is."""


class InvalidInput(CMSError):
    """A value a user typed or a file supplied is not acceptable; `field` names where, when known."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class TransitionError(CMSError):
    """The move is not a move of the workflow, or its preconditions do not hold."""


class NotAllowed(CMSError):
    """The user's role does not permit this."""


class EditConflict(CMSError):
    """Someone saved the same thing since this edit began."""
