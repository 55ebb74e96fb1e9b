"""Preparing together: what the couple reads and does before a medicine session.

`models` (the couple's agenda items, the setting checklist's ticks, each dosing partner's
ride-home confirmation), `services` (the partners' writes, each asking the policy),
`selectors` (the preparation pages' sheets and `pending_preparation` for the portal).
"""
