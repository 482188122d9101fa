# expect: dependency_cache=kept rules=
# why: the environment file is copied alone and installed before `COPY src /app/src`
FROM mambaorg/micromamba:2.1.1
COPY --chown=$MAMBA_USER:$MAMBA_USER environment.yaml /tmp/env.yaml
RUN micromamba install -y -n base -f /tmp/env.yaml && \
    micromamba clean --all --yes
ARG MAMBA_DOCKERFILE_ACTIVATE=1
WORKDIR /app
COPY src /app/src
CMD ["python", "-m", "src.main"]
