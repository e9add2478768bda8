"""Reading and validating input files: every row checked, every error collected and reported."""
