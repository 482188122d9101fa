# expect: dependency_cache=kept rules=LC013
# why: the install binds /wheels from an image, not a stage, and reads requirements.txt copied alone before the source; it stays cached as long as the image's files do, which the grade names as its assumption
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN --mount=type=bind,from=ghcr.io/example/wheels:1.4,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links /wheels -r requirements.txt
COPY . .
