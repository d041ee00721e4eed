"""Running an experiment's planned runs: the runner (``runner``: start, resume, batches, consolidation), the
executors behind one interface (``executors``: serial, local processes, Dask), what a worker runs (``worker``)
and the progress display (``progress``)."""
