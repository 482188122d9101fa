"""greet: a small application whose job is to need the same heavy dependencies as lesson 3."""
