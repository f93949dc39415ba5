"""The Dagster code location: thin assets over the parenting_assessment library."""
