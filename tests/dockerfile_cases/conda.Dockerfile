FROM mambaorg/micromamba:1.5.8
ARG MAMBA_DOCKERFILE_ACTIVATE=1
COPY --chown=$MAMBA_USER:$MAMBA_USER env.yaml /tmp/env.yaml
RUN micromamba install -y -n base -f /tmp/env.yaml && \
    micromamba clean --all --yes
SHELL ["/usr/local/bin/_dockerfile_shell.sh"]
RUN conda env create -f environment.yml \
 && conda clean -afy
RUN mamba install -y -c conda-forge numpy=1.26 pandas
