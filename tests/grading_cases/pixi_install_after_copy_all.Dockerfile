# expect: dependency_cache=reinstalled rules=LC002
# why: `COPY . /app` brings pixi.toml and pixi.lock with all the code, so any code change reruns `pixi install` and the whole environment
FROM ghcr.io/prefix-dev/pixi:0.40.0
COPY . /app
WORKDIR /app
RUN pixi install --locked
ENTRYPOINT ["pixi", "run", "serve"]
