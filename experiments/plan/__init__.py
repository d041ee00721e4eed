"""What an experiment runs: parameter-space files (``space``) and their checks against the base scenario
(``spacecheck``), and the plans of runs with their seeds and parameter values (``designs``)."""
