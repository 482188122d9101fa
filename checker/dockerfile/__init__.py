"""Read Dockerfiles into the model the checker works on."""
