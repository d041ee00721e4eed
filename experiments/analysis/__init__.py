"""Analyses of an experiment's runs: the outcomes row of one run (``outcomes``, with the fund's budget,
``budget``), the tables written into a folder (``tables``: ``analyse(folder)``), global sensitivity
(``sensitivity``), time to depletion (``survival``) and scenario discovery (``discover``, ``discover_cart``,
``discover_outcomes``,
``discover_store``)."""
