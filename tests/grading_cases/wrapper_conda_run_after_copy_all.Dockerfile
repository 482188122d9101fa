# expect: dependency_cache=reinstalled rules=LC002
# why: `conda run -n app pip install -r` is a pip install in the app environment, after `COPY . .`: it reruns on every change
FROM continuumio/miniconda3:24.1.2-0
RUN conda create -y -n app python=3.11
WORKDIR /app
COPY . .
RUN conda run -n app pip install --no-cache-dir -r requirements.txt
CMD ["conda", "run", "--no-capture-output", "-n", "app", "python", "main.py"]
