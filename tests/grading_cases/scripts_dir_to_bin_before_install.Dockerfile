# expect: dependency_cache=kept rules=
# why: scripts/ holds shell helpers installed to /usr/local/bin (see the context), not application source; the application is copied by `COPY . .` after the install
FROM python:3.12-slim
COPY scripts/ /usr/local/bin/
RUN chmod +x /usr/local/bin/*.sh
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
CMD ["start.sh"]
