"""Write the build's version string: a build step, not application code."""

print("1.4.0")
