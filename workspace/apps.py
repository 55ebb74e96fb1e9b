from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """Where the care team spends its day: the caseload, the couple's chart, outcome
    plots and the records handed to others (treatment summary, monitoring record).

    It reads from intake, sessions and integration and owns no clinical state of its own;
    no other app imports it."""

    name = "workspace"
