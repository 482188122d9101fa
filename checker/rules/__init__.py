"""The grading rules, one module each named by its ID (``lc001_source_before_install``), and
their registry.

=====  ===================================  ========
ID     name                                 severity
=====  ===================================  ========
LC001  source-before-install                error
LC002  install-after-broad-copy             error
LC003  manifests-not-copied-alone           warning
LC004  no-dockerignore                      warning
LC005  project-installed-with-dependencies  error
LC006  volatile-value-before-install        warning
LC007  pip-cache-in-image                   info
LC008  beyond-grader-limits                 warning
LC009  install-hidden-in-script             info
LC010  install-stage-not-in-image           warning
LC011  missing-context-file                 error
LC012  build-input-before-install           info
LC013  assumption                           info
=====  ===================================  ========
"""

from __future__ import annotations

from checker.rules.base import Rule
from checker.rules.lc001_source_before_install import SourceBeforeInstall
from checker.rules.lc002_install_after_broad_copy import InstallAfterBroadCopy
from checker.rules.lc003_manifests_not_copied_alone import ManifestsNotCopiedAlone
from checker.rules.lc004_no_dockerignore import NoDockerignore
from checker.rules.lc005_project_with_dependencies import ProjectWithDependencies
from checker.rules.lc006_volatile_build_value import VolatileBuildValue
from checker.rules.lc007_pip_cache_in_image import PipCacheInImage
from checker.rules.lc008_input_limits import InputLimits
from checker.rules.lc009_install_hidden_in_script import InstallHiddenInScript
from checker.rules.lc010_install_stage_not_in_image import InstallStageNotInImage
from checker.rules.lc011_missing_context_file import MissingContextFile
from checker.rules.lc012_build_input_before_install import BuildInputBeforeInstall
from checker.rules.lc013_assumptions import Assumption

RULES: tuple[Rule, ...] = (
    SourceBeforeInstall(),
    InstallAfterBroadCopy(),
    ManifestsNotCopiedAlone(),
    NoDockerignore(),
    ProjectWithDependencies(),
    VolatileBuildValue(),
    PipCacheInImage(),
    InputLimits(),
    InstallHiddenInScript(),
    InstallStageNotInImage(),
    MissingContextFile(),
    BuildInputBeforeInstall(),
    Assumption(),
)
RULES_BY_ID = {rule.id: rule for rule in RULES}

__all__ = ["RULES", "RULES_BY_ID", "Rule"]
