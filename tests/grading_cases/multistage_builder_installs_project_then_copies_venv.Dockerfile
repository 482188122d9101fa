# expect: dependency_cache=kept rules=
# why: in the builder the dependency install reads requirements.txt only and stays cached; the project install after `COPY . /src` reruns and changes the venv, so the final `COPY --from=builder /venv` reruns, but that is a copy, not a reinstall
FROM python:3.11-slim AS builder
RUN python -m venv /venv
ENV PATH=/venv/bin:$PATH
COPY requirements.txt /tmp/
RUN pip install --no-cache-dir -r /tmp/requirements.txt
COPY . /src
RUN pip install --no-cache-dir --no-deps /src

FROM python:3.11-slim
COPY --from=builder /venv /venv
ENV PATH=/venv/bin:$PATH
CMD ["python", "-m", "app.main"]
