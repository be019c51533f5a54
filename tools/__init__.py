"""Build-time scripts of the repository (not part of the installed package): ``make data``."""
