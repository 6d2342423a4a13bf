"""What /database/ reports, read from PostgreSQL's catalogs and statistics (never written)."""
