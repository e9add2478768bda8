"""Use cases: load from storage, call the core, save results. The only layer the faces call."""
