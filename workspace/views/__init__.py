from workspace.views.outcomes import couple_outcomes

__all__ = ["couple_outcomes"]
