# expect: dependency_cache=kept rules=
# why: the conda environment is created from environment.yml alone, before the source copy
FROM continuumio/miniconda3:24.1.2-0
WORKDIR /app
COPY environment.yml .
RUN conda env create -f environment.yml && conda clean -afy
COPY . .
SHELL ["conda", "run", "-n", "ml", "/bin/bash", "-c"]
CMD ["conda", "run", "--no-capture-output", "-n", "ml", "python", "serve.py"]
