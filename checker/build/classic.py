"""Build with the classic builder through docker-py's low-level streaming API.

docker-py cannot use BuildKit (it ignores ``DOCKER_BUILDKIT``), and its defaults differ from the
CLI's: ``rm=False`` keeps intermediate containers, so we pass ``rm=True`` and ``forcerm=True``
(``rm`` alone removes them only after a successful step; a failed ``RUN`` would leave its
container behind). The context tar is made by :mod:`checker.build.context`, with owners reset
as the CLI does, so notebook and terminal builds share the ``COPY`` cache.

``labels`` make the engine append one ``LABEL`` step per label at the end; the recorder marks
those steps ``added_by_runner``. Intermediate images of the classic builder (the cache of each
step) cannot carry the label: they are the final image's parents and go when it is removed.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
from docker.errors import APIError, NotFound
from requests.exceptions import RequestException

from .classic_stream import ClassicStreamParser
from .context import BuildContext, make_context
from .errors import BuildError, BuildTimeout
from .events import BuildEvent, BuildFailed
from .labels import PROJECT_LABELS
from .listener import Listener, ignore
from .options import BuildOptions
from .records import BuildResult, Recorder
from .watchdog import Watchdog


def api_client(docker_host: str | None = None, timeout: int = 3600) -> docker.APIClient:
    """A low-level client for ``docker_host``, else for the environment (``DOCKER_HOST``...)."""
    if docker_host:
        return docker.APIClient(base_url=docker_host, version="auto", timeout=timeout)
    return docker.APIClient(version="auto", timeout=timeout, **docker.utils.kwargs_from_env())


def build_classic(
    context_dir: str | os.PathLike[str],
    options: BuildOptions | None = None,
    listener: Listener = ignore,
    client: docker.APIClient | None = None,
) -> BuildResult:
    """Build ``context_dir`` with the classic builder; raise :class:`BuildError` on failure."""
    options = options or BuildOptions()
    context = make_context(Path(context_dir), options.dockerfile)  # bad paths fail first
    own_client = client is None
    try:
        api = client or api_client(options.docker_host)
    except BaseException:
        context.tar.close()
        raise
    parser = ClassicStreamParser()
    recorder = Recorder()

    def stop() -> None:
        # Killing the step's container makes the engine fail the step and end the stream.
        for container_id in parser.container_ids[-1:]:
            with contextlib.suppress(APIError):
                api.kill(container_id)

    def handle(event: BuildEvent) -> None:
        listener(event, recorder.handle(event))

    try:
        with Watchdog(options.timeout, stop) as watchdog:
            try:
                for message in _stream(api, context, options):
                    for event in parser.feed(message):
                        handle(event)
                    if watchdog.expired:
                        break
                for event in parser.close():
                    handle(event)
            except APIError as error:  # refused before streaming (bad option, parse error)
                handle(BuildFailed(str(error.explanation or error)))
            except RequestException as error:
                handle(BuildFailed(f"lost the connection to the engine: {error}"))
            if watchdog.expired:
                running = recorder.running_step
                reason = f"stopped after the {options.timeout:g} s limit"
                handle(BuildFailed(reason, running.key if running else None))
    finally:
        context.tar.close()
        _remove_containers(api, parser.container_ids)
        if own_client:
            api.close()
    result = recorder.finish("classic", added_labels=dict(PROJECT_LABELS))
    result.containers = list(parser.container_ids)
    if watchdog.expired:
        result.error = f"stopped after the {options.timeout:g} s limit"
        raise BuildTimeout(result.error, result, recorder.failed_step)
    if result.error is not None or result.image_id is None:
        raise BuildError(result.error or "no image was built", result, recorder.failed_step)
    return result


def _stream(
    api: docker.APIClient, context: BuildContext, options: BuildOptions
) -> Iterator[dict[str, Any]]:
    return api.build(  # type: ignore[no-any-return]
        fileobj=context.tar,
        custom_context=True,
        dockerfile=context.dockerfile,
        tag=options.tag,
        nocache=options.no_cache,
        rm=True,
        forcerm=True,
        decode=True,
        buildargs=dict(options.buildargs) or None,
        target=options.target,
        network_mode=options.network_mode,
        container_limits=options.container_limits() or None,
        labels=dict(PROJECT_LABELS),
    )


def _remove_containers(api: docker.APIClient, container_ids: list[str]) -> None:
    """Remove build containers that are still there (``forcerm`` should have done it)."""
    for container_id in container_ids:
        with contextlib.suppress(NotFound, APIError):  # gone, or being removed by the engine
            api.remove_container(container_id, force=True)
