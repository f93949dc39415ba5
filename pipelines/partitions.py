"""Fieldwork batches are dynamic partitions of the ingest asset."""

import dagster as dg

survey_batches = dg.DynamicPartitionsDefinition(name="survey_batches")
