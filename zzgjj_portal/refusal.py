"""A service's "no", shared by every app: `message` is shown to the person as
is (the manual's words, in Chinese), `code` names the rule for the caller's
logic and the metrics. Each app subclasses it for its own refusals."""


class Refusal(Exception):
    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code
