"""The one exception type a user sees from ingest: a single readable line."""


class IngestError(ValueError):
    """An input file cannot be ingested. The message names the file and what is wrong."""

    def __init__(self, path: object, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")
