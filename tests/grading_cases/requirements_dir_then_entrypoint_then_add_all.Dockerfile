# expect: dependency_cache=kept rules=
# why: the requirements folder alone is copied and installed; the entrypoint script and `ADD ./ /app/` come after the install
FROM python:3.10
ADD requirements/ requirements/
RUN pip install -r requirements/production.txt
RUN mkdir /app
COPY ./docker/web_entrypoint.sh /app/docker/web_entrypoint.sh
RUN chmod +x /app/docker/web_entrypoint.sh
WORKDIR /app
ADD ./ /app/
ENTRYPOINT ["/app/docker/web_entrypoint.sh"]
