class ApplicationError(Exception):
    """A request that breaks a rule: shown to the user as it is, with the field it concerns."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(ApplicationError):
    """Missing, or not yours: the two look the same from outside."""

    def __init__(self, message: str = "Not found.", *, field: str | None = None):
        super().__init__(message, field=field)
