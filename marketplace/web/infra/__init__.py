"""Infrastructure under every page: security headers, request guards, logs, the page cache, errors,
languages, labels, filters and the clock."""
