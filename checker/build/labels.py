"""The label that marks everything this project creates on a Docker engine.

Clean-up removes exactly what carries it, so a learner's own images and containers are never
touched.
"""

PROJECT_LABEL = "org.layer-cache-workshop.project"
PROJECT_VALUE = "docker-layer-cache-workshop"
# Marks the locally built stand-in for an official base image (kept by clean-up).
STAND_IN_LABEL = "org.layer-cache-workshop.stand-in"

PROJECT_LABELS = {PROJECT_LABEL: PROJECT_VALUE}
PROJECT_FILTER = f"{PROJECT_LABEL}={PROJECT_VALUE}"
