"""What an experiment runs: parameter-space files (``space``) and their checks against the base scenario
(``spacecheck``), the scenarios it reads (``inputs``: unique keys, comparability, a calibration's posterior) and
the plans of runs with their seeds and parameter values (``designs``)."""
