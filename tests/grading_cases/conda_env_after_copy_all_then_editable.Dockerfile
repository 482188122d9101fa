# expect: dependency_cache=reinstalled rules=LC002
# why: `COPY ./ ./` brings environment.yml with all the code, so the conda environment is created again on every code change, and the editable install after it too
FROM continuumio/miniconda3
WORKDIR /usr/src/app
COPY ./ ./
RUN conda env create -f environment.yml
SHELL ["conda", "run", "-n", "forecast", "/bin/bash", "-c"]
RUN pip install -e .
