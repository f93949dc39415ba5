"""Synthetic KoboToolbox survey rounds drawn from a known population (SAMPLING.md §5).

``synthesize`` writes a Kobo XLSX export, the frame, the true village values and a manifest of
injected defects; ``generate`` is the in-memory core used by the tests.
"""

from parenting_assessment.synth.api import SynthResult, pii_values_from_export, synthesize
from parenting_assessment.synth.defects import DEFECT_TYPES
from parenting_assessment.synth.generate import Synthesis, generate

__all__ = ["DEFECT_TYPES", "SynthResult", "Synthesis", "generate", "pii_values_from_export",
           "synthesize"]
