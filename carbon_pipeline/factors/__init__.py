"""The emission-factor catalogue: shipped factor files with provenance, loaded into factors.*."""
