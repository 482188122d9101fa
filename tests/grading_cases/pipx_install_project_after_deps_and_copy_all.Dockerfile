# expect: dependency_cache=reinstalled rules=LC005
# why: `pipx install .` makes a venv of its own for the project and fills it with every dependency; the requirements installed earlier into the system site are not in it, so each code change reinstalls them all
FROM python:3.12-slim
RUN pip install --no-cache-dir pipx
WORKDIR /src
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN pipx install .
ENV PATH=/root/.local/bin:$PATH
ENTRYPOINT ["mycli"]
