# expect: dependency_cache=kept rules=
# why: `pip install --user` fills /root/.local from requirements.txt alone; the final stage copies ~/.local, then the source, and `pip install --user .` only adds the project to it
FROM python:3.12 AS builder
COPY requirements.txt .
RUN pip install --user --no-cache-dir -r requirements.txt

FROM python:3.12-slim
COPY --from=builder /root/.local /root/.local
ENV PATH=/root/.local/bin:$PATH
WORKDIR /code
COPY . .
RUN pip install --user --no-cache-dir .
CMD ["myservice"]
