"""Charts and the bilingual mapping report."""
