"""Privacy: erasure of a person (``leadflow forget``), the suppression list that keeps them
out afterwards, and the right of access (``leadflow export-person``). See docs/privacy.md."""
