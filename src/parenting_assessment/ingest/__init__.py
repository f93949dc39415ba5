"""Ingest: land raw export files byte-for-byte and read them into raw text tables."""

from parenting_assessment.ingest.errors import IngestError

__all__ = ["IngestError"]
