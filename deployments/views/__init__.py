from .deployments import (  # noqa: F401
    DeploymentCreateView,
    DeploymentDeleteView,
    DeploymentDetailView,
    DeploymentEditView,
    DeploymentListView,
)
