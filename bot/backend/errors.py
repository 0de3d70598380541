"""Backend exceptions. Actions map them to honest customer messages."""


class BackendError(Exception):
    """The backend could not answer (unreachable, timed out, broken). Never a 'no'."""


class NotFound(BackendError):
    """No record matches the reference and name given."""


class NotAllowed(BackendError):
    """The operation is not possible for this record (e.g. check-in not open yet).

    `reason` is a short machine code such as "checkin_not_open" or "seat_taken".
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail
