"""greet: a tiny application whose only job is to need a dependency."""
