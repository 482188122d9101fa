# expect: dependency_cache=reinstalled rules=LC005
# why: only torch is installed before the source; `pip install .` after `COPY . .` resolves and installs every other dependency of the project again on each code change (the cache mount is on the torch step, not this one)
FROM nvidia/cuda:12.1.1-cudnn8-devel-ubuntu22.04
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y python3 python3-pip python3-dev && \
    ln -sfn /usr/bin/python3 /usr/bin/python
RUN --mount=type=cache,target=/root/.cache/pip pip install torch
WORKDIR /mnt/lib
COPY . .
RUN pip install .
CMD ["python", "-m", "lib.train"]
