"""Reports: headline figures and listings, the dashboard and its downloads, county reports,
coverage, impact and the formula-safe writer."""
