"""The XLSForm questionnaire: the codebook the whole pipeline reads."""

from parenting_assessment.instrument.model import Field, Instrument, Section, load_instrument

__all__ = ["Field", "Instrument", "Section", "load_instrument"]
