"""The /database/ page (see database/health/ for what it reads)."""
