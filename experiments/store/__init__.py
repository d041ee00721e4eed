"""The experiment folder on disk: its schema (``folder``), the crash-safe results store (``results``), the part
files batches write (``parts``) and their consolidation (``consolidate``), and provenance (``provenance``)."""
