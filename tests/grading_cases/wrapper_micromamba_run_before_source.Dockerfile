# expect: dependency_cache=kept rules=
# why: the conda environment comes from env.yaml and the pip part from requirements.txt, both copied by name before the source
FROM mambaorg/micromamba:1.5.8
COPY --chown=$MAMBA_USER:$MAMBA_USER env.yaml /tmp/env.yaml
RUN micromamba install -y -n base -f /tmp/env.yaml && micromamba clean --all --yes
COPY --chown=$MAMBA_USER:$MAMBA_USER requirements.txt /tmp/requirements.txt
RUN micromamba run -n base python -m pip install --no-cache-dir -r /tmp/requirements.txt
WORKDIR /app
COPY --chown=$MAMBA_USER:$MAMBA_USER . .
