from .aliases import TeamAliasesView  # noqa: F401
from .choices import ModelChoicesView  # noqa: F401
from .deployments import (  # noqa: F401
    DeploymentCreateView,
    DeploymentDeleteView,
    DeploymentDetailView,
    DeploymentEditView,
    DeploymentListView,
)
from .requests import (  # noqa: F401
    ModelRequestAnswerView,
    ModelRequestCreateView,
    ModelRequestListView,
)
