# expect: dependency_cache=reinstalled rules=LC002
# why: environment.yml reaches the image only through `COPY . .`, so the conda install reruns on every code change
FROM continuumio/miniconda3
WORKDIR /workspace
COPY . .
RUN conda env update -n base -f environment.yml && conda clean -afy
