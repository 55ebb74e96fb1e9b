"""Sessions views, by area: calendar and booking, plans, the medicine-session record."""
