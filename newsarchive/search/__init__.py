"""Full-text search, filters and exports over the stored records."""
